/*
 * store_gcs.c — Google Cloud Storage through its JSON API, authenticated as
 * a service account: a JWT signed RS256 with the account's private key is
 * exchanged at its token_uri for an OAuth2 access token, which is cached and
 * refreshed a minute before it expires.
 *
 * Environment:
 *   GOOGLE_APPLICATION_CREDENTIALS   path of the service-account key (JSON)
 *   STORAGE_EMULATOR_HOST            base URL of an emulator or test server
 *                                    (as Google's client libraries read it);
 *                                    without credentials requests go unsigned
 *
 * Objects carry a generation number that changes on every write; it is the
 * etag of this backend, and conditional writes are ifGenerationMatch (0 for
 * create-if-absent).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/alloc.h"
#include "store/cloud.h"
#include "store/http.h"
#include "store/profile.h"
#include "store/store.h"


typedef struct gcs_store {
    tn_store base;
    char *endpoint;     /* https://storage.googleapis.com or the emulator */
    char *client_email;
    char *token_uri;
    EVP_PKEY *key;      /* NULL: unsigned requests */
    pthread_mutex_t lock;
    char token[4096];
    int64_t token_expiry;
    tn_retry_policy retry;
} gcs_store;

/* --- OAuth2 ----------------------------------------------------------------- */

static int b64url(const void *p, size_t n, tn_buf *out, tarn_error *err)
{
    size_t cap = 4 * ((n + 2) / 3) + 1;
    char *tmp = tn_malloc(cap);
    TN_TRY_ALLOC(tmp, err, cap);
    int len = EVP_EncodeBlock((unsigned char *)tmp, p, (int)n);
    for (int i = 0; i < len; i++)
        tmp[i] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : tmp[i];
    while (len && tmp[len - 1] == '=')
        len--;
    int rc = tn_buf_append(out, tmp, (size_t)len, err);
    tn_free(tmp);
    return rc;
}

/* header.claims.signature, signed RS256. */
static int make_jwt(gcs_store *s, tn_buf *jwt, tarn_error *err)
{
    int64_t now = (int64_t)time(NULL);
    char claims[2048];
    snprintf(claims, sizeof claims,
             "{\"iss\":\"%s\",\"scope\":\"https://www.googleapis.com/auth/devstorage.read_write\","
             "\"aud\":\"%s\",\"iat\":%lld,\"exp\":%lld}",
             s->client_email, s->token_uri, (long long)now, (long long)now + 3600);
    const char *header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    TN_TRY(b64url(header, strlen(header), jwt, err));
    TN_TRY(tn_buf_append_byte(jwt, '.', err));
    TN_TRY(b64url(claims, strlen(claims), jwt, err));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char sig[1024];
    size_t siglen = sizeof sig;
    bool ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, s->key) == 1 &&
              EVP_DigestSign(md, sig, &siglen, jwt->data, jwt->len) == 1;
    EVP_MD_CTX_free(md);
    if (!ok)
        return tn_error_set(err, TARN_EINVAL, "cannot sign the OAuth2 token request with the service-account key");
    TN_TRY(tn_buf_append_byte(jwt, '.', err));
    return b64url(sig, siglen, jwt, err);
}

typedef struct token_call {
    gcs_store *s;
    tn_buf *body;
} token_call;

static int build_token(void *ctx, tn_http_request *req, tarn_error *err)
{
    token_call *t = ctx;
    req->method = "POST";
    snprintf(req->url, sizeof req->url, "%s", t->s->token_uri);
    req->body = t->body->data;
    req->body_len = (int64_t)t->body->len;
    return tn_http_add_header(req, "Content-Type", "application/x-www-form-urlencoded", err);
}

/* A valid access token in s->token (under s->lock). */
static int refresh_token(gcs_store *s, tarn_error *err)
{
    if (s->token[0] && (int64_t)time(NULL) < s->token_expiry - 60)
        return TARN_OK;
    tn_buf jwt, body;
    tn_buf_init(&jwt, 0);
    tn_buf_init(&body, 0);
    int rc = make_jwt(s, &jwt, err);
    if (!rc)
        rc = tn_buf_printf(&body, err, "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Ajwt-bearer&assertion=%s",
                           (char *)jwt.data);
    tn_http_response r;
    memset(&r, 0, sizeof r);
    if (!rc) {
        token_call t = {s, &body};
        tn_http_stats st = {&s->base.metrics.retries, &s->base.metrics.throttles, &s->base.limiter, &s->base.metrics.requests};
        rc = tn_http_execute(&s->retry, build_token, &t, st, &r, err);
    }
    if (!rc) {
        json_t *j = r.body ? json_loadb((const char *)r.body->data, (size_t)r.body->size, 0, NULL) : NULL;
        const char *tok = json_string_value(json_object_get(j, "access_token"));
        json_int_t ttl = json_integer_value(json_object_get(j, "expires_in"));
        if (r.status != 200 || !tok || strlen(tok) >= sizeof s->token) {
            rc = tn_error_set(err, r.status == 400 || r.status == 401 ? TARN_EPERM : TARN_ENETWORK,
                              "gs: token request to %s failed (HTTP %ld)", s->token_uri, r.status);
        } else {
            snprintf(s->token, sizeof s->token, "%s", tok);
            s->token_expiry = (int64_t)time(NULL) + (ttl > 0 ? ttl : 3600);
        }
        json_decref(j);
    }
    tn_http_response_reset(&r);
    tn_buf_reset(&jwt);
    tn_buf_reset(&body);
    return rc;
}

/* --- requests ------------------------------------------------------------------ */


static int build(void *ctx, tn_http_request *req, tarn_error *err)
{
    tn_cloud_call *c = ctx;
    gcs_store *s = (gcs_store *)c->store;
    tn_cloud_request_body(c, req, "Range");
    if (c->url.len >= sizeof req->url)
        return tn_error_set(err, TARN_EINVAL, "URL too long for object '%s'", c->key ? c->key : "");
    memcpy(req->url, c->url.data, c->url.len + 1);
    for (int i = 0; i < c->n_extra; i++)
        TN_TRY(tn_http_add_header(req, c->extra[i].name, c->extra[i].value, err));
    if (s->key) {
        pthread_mutex_lock(&s->lock);
        int rc = refresh_token(s, err);
        char auth[4200];
        snprintf(auth, sizeof auth, "Bearer %s", s->token);
        pthread_mutex_unlock(&s->lock);
        TN_TRY(rc);
        TN_TRY(tn_http_add_header(req, "Authorization", auth, err));
    }
    if (c->body_len == 0 && (!strcmp(c->method, "POST") || !strcmp(c->method, "PUT")))
        TN_TRY(tn_http_add_header(req, "Content-Length", "0", err));
    return TARN_OK;
}

static void new_call(tn_cloud_call *c, gcs_store *s, const char *method, const char *object)
{
    tn_cloud_call_init(c, &s->base, &s->retry, build, method, object);
}

/* c->url = endpoint + prefix + "/b/BUCKET/o[/OBJECT]" + query. */
static int make_url(tn_cloud_call *c, const char *api, const char *object, const char *query, tarn_error *err)
{
    tn_buf_init(&c->url, 0);
    TN_TRY(tn_buf_printf(&c->url, err, "%s%s/b/", ((gcs_store *)c->store)->endpoint, api));
    TN_TRY(tn_uri_encode(c->store->root, false, &c->url, err));
    TN_TRY(tn_buf_append_str(&c->url, "/o", err));
    if (object) {
        TN_TRY(tn_buf_append_byte(&c->url, '/', err));
        TN_TRY(tn_uri_encode(object, false, &c->url, err));
    }
    if (query)
        TN_TRY(tn_buf_append_str(&c->url, query, err));
    return TARN_OK;
}

static void meta_from_json(json_t *j, tn_object_meta *m)
{
    const char *size = json_string_value(json_object_get(j, "size"));
    const char *gen = json_string_value(json_object_get(j, "generation"));
    const char *updated = json_string_value(json_object_get(j, "updated"));
    m->size = size ? strtoll(size, NULL, 10) : 0;
    if (m->size < 0)
        m->size = 0;
    snprintf(m->etag, sizeof m->etag, "%s", gen ? gen : "");
    m->last_modified = 0;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (updated && strptime(updated, "%Y-%m-%dT%H:%M:%S", &tm))
        m->last_modified = (int64_t)timegm(&tm);
}

static json_t *body_json(const tn_http_response *r)
{
    return r->body ? json_loadb((const char *)r->body->data, (size_t)r->body->size, 0, NULL) : NULL;
}

static int gcs_head(tn_store *base, const char *key, tn_object_meta *meta, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (gcs_store *)base, "GET", key);
    TN_TRY(make_url(&c, "/storage/v1", key, NULL, err));
    tn_http_response r;
    TN_TRY(tn_cloud_run(&c, &r, err));
    json_t *j = body_json(&r);
    tn_http_response_reset(&r);
    if (!j)
        return tn_error_set(err, TARN_ENETWORK, "gs://%s/%s: unreadable metadata answer", base->root, key);
    meta_from_json(j, meta);
    json_decref(j);
    return TARN_OK;
}

static int gcs_get(tn_store *base, const char *key, int64_t offset, int64_t length, tn_buffer **out, tarn_error *err)
{
    *out = NULL;
    if (length == 0) {
        tn_object_meta m;
        TN_TRY(gcs_head(base, key, &m, err));
        if (offset > m.size)
            return tn_error_set(err, TARN_EINVAL, "gs://%s/%s: range starts past the end", base->root, key);
        *out = tn_buffer_new(0);
        TN_TRY_ALLOC(*out, err, 64);
        return TARN_OK;
    }
    char range[64] = "";
    if (offset < 0)
        snprintf(range, sizeof range, "bytes=%lld", (long long)offset);
    else if (length > 0)
        snprintf(range, sizeof range, "bytes=%lld-%lld", (long long)offset, (long long)(offset + length - 1));
    else if (offset > 0)
        snprintf(range, sizeof range, "bytes=%lld-", (long long)offset);
    tn_cloud_call c;
    new_call(&c, (gcs_store *)base, "GET", key);
    TN_TRY(make_url(&c, "/storage/v1", key, "?alt=media", err));
    if (*range) {
        tn_cloud_add_extra(&c, "Range", range);
    }
    tn_http_response r;
    int rc = tn_cloud_run(&c, &r, err);
    if (rc == TARN_EINVAL && offset > 0 && err && strstr(err->message, "HTTP 416")) {
        /* 416 also answers a range that starts exactly at the end: that read is empty */
        tn_object_meta m;
        TN_TRY(gcs_head(base, key, &m, err));
        if (offset != m.size)
            return tn_error_set(err, TARN_EINVAL, "gs://%s/%s: range starts past the end", base->root, key);
        *out = tn_buffer_new(0);
        TN_TRY_ALLOC(*out, err, 64);
        return TARN_OK;
    }
    TN_TRY(rc);
    *out = r.body ? r.body : tn_buffer_new(0);
    r.body = NULL;
    tn_http_response_reset(&r);
    TN_TRY_ALLOC(*out, err, 64);
    return TARN_OK;
}

static int condition_query(const tn_put_options *o, char *q, size_t cap, char sep)
{
    q[0] = '\0';
    if (o && o->mode == TN_PUT_CREATE)
        snprintf(q, cap, "%cifGenerationMatch=0", sep);
    else if (o && o->mode == TN_PUT_IF_MATCH) {
        const char *g = o->if_match ? o->if_match : "";
        for (const char *p = g; *p; p++)
            if (*p < '0' || *p > '9')
                g = "-1"; /* never matches a generation */
        snprintf(q, cap, "%cifGenerationMatch=%s", sep, *g ? g : "-1");
    }
    return TARN_OK;
}

/* A media upload of c's body (bytes or a source) to key, settled as
 * tn_cloud_put does. */
static int media_upload(tn_cloud_call *c, const char *key, const tn_put_options *o, tarn_error *err)
{
    tn_buf q;
    tn_buf_init(&q, 0);
    char cond[64];
    condition_query(o, cond, sizeof cond, '&');
    int rc = tn_buf_append_str(&q, "?uploadType=media&name=", err);
    if (!rc)
        rc = tn_uri_encode(key, false, &q, err);
    if (!rc)
        rc = tn_buf_append_str(&q, cond, err);
    if (!rc)
        rc = make_url(c, "/upload/storage/v1", NULL, (char *)q.data, err);
    tn_buf_reset(&q);
    if (rc) {
        tn_buf_reset(&c->url);
        return rc;
    }
    tn_cloud_add_extra(c, "Content-Type", "application/octet-stream");
    return tn_cloud_put(c, o, err);
}

static int gcs_put(tn_store *base, const char *key, const void *data, int64_t n, const tn_put_options *o,
                   tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (gcs_store *)base, "POST", key);
    c.body = data;
    c.body_len = n;
    return media_upload(&c, key, o, err);
}

/* One media upload whose body is pulled from the source as curl sends it. */
static int gcs_put_stream(tn_store *base, const char *key, int64_t size, tn_read_at_fn read, void *ctx,
                          const tn_put_options *o, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (gcs_store *)base, "POST", key);
    c.body_len = size;
    c.body_read = read;
    c.body_ctx = ctx;
    return media_upload(&c, key, o, err);
}

static int gcs_get_stream(tn_store *base, const char *key, int64_t offset, int64_t length, tn_sink_fn sink,
                          void *ctx, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (gcs_store *)base, "GET", key);
    int rc = make_url(&c, "/storage/v1", key, "?alt=media", err);
    if (rc) {
        tn_buf_reset(&c.url);
        return rc;
    }
    return tn_cloud_get_stream(&c, offset, length, sink, ctx, err);
}

/* --- writer --------------------------------------------------------------
 *
 * The JSON API offers two ways to upload in pieces. A resumable session
 * takes its chunks strictly in order, so it cannot send two at once; it
 * is used when the store's concurrency is 1. Otherwise each part is
 * uploaded at the same time as others as a temporary component object
 * (DIR/.tarn-parts/NONCE.NNNNN), and compose joins them (32 sources per
 * call, so larger uploads compose in two levels) into the object, with
 * the put's precondition on the last compose: the object appears whole or
 * not at all. The components are deleted afterwards, and after a failure. */

static int gcs_remove(tn_store *base, const char *key, tarn_error *err);

#define META_UPLOAD "tarn-upload"
#define COMPOSE_MAX 32

typedef struct gcs_writer {
    tn_part_writer pw; /* first: key, options, nonce, the part uploader */
    gcs_store *s;
    char *session;     /* resumable upload URL, once started */
    char *dir;         /* the key up to its last '/' */
    int n_temps;       /* intermediate composites made */
} gcs_writer;

static void gw_cleanup(tn_part_writer *pw)
{
    gcs_writer *w = (gcs_writer *)pw;
    tn_free(w->session);
    tn_free(w->dir);
}

/* True when the object at key carries this upload's nonce in its metadata. */
static bool has_nonce(gcs_writer *w)
{
    tn_cloud_call c;
    new_call(&c, w->s, "GET", w->pw.key);
    if (make_url(&c, "/storage/v1", w->pw.key, NULL, NULL) != TARN_OK) {
        tn_buf_reset(&c.url);
        return false;
    }
    tn_http_response r;
    if (tn_cloud_run(&c, &r, NULL) != TARN_OK)
        return false;
    json_t *j = body_json(&r);
    tn_http_response_reset(&r);
    const char *v = json_string_value(json_object_get(json_object_get(j, "metadata"), META_UPLOAD));
    bool same = v && strcmp(v, w->pw.nonce) == 0;
    json_decref(j);
    return same;
}

/* A commit retried after its answer was lost finds the object already
 * there (412) or the session finished (404): ours if it has our nonce. */
static int settle(gcs_writer *w, int rc, int attempts, tarn_error *err)
{
    if ((rc == TARN_ECONFLICT || rc == TARN_ENOTFOUND) && attempts > 1 && has_nonce(w))
        rc = TARN_OK;
    return tn_cloud_conflict(rc, &w->pw.opts, err);
}

static int start_session(gcs_writer *w, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, w->s, "POST", w->pw.key);
    tn_buf q;
    tn_buf_init(&q, 0);
    char cond[64], meta[96];
    condition_query(&w->pw.opts, cond, sizeof cond, '&');
    int rc = tn_buf_append_str(&q, "?uploadType=resumable&name=", err);
    if (!rc)
        rc = tn_uri_encode(w->pw.key, false, &q, err);
    if (!rc)
        rc = tn_buf_append_str(&q, cond, err);
    if (!rc)
        rc = make_url(&c, "/upload/storage/v1", NULL, (char *)q.data, err);
    tn_buf_reset(&q);
    if (rc) {
        tn_buf_reset(&c.url);
        return rc;
    }
    snprintf(meta, sizeof meta, "{\"metadata\":{\"" META_UPLOAD "\":\"%s\"}}", w->pw.nonce);
    c.body = meta;
    c.body_len = (int64_t)strlen(meta);
    tn_cloud_add_extra(&c, "Content-Type", "application/json; charset=UTF-8");
    tn_http_response r;
    TN_TRY(tn_cloud_conflict(tn_cloud_run(&c, &r, err), &w->pw.opts, err));
    const char *loc = tn_http_header(&r, "location");
    w->session = loc ? tn_strdup(loc) : NULL;
    tn_http_response_reset(&r);
    if (!w->session)
        return tn_error_set(err, TARN_ENETWORK, "gs://%s/%s: no upload session in the answer", w->s->base.root, w->pw.key);
    return TARN_OK;
}

/* Send the chunk at byte `at`; `last` gives the total size. */
static int send_chunk(gcs_writer *w, int64_t at, const uint8_t *data, int64_t len, bool last, tarn_error *err)
{
    char range[96];
    if (last && len == 0)
        snprintf(range, sizeof range, "bytes */%lld", (long long)at);
    else if (last)
        snprintf(range, sizeof range, "bytes %lld-%lld/%lld", (long long)at, (long long)(at + len - 1),
                 (long long)(at + len));
    else
        snprintf(range, sizeof range, "bytes %lld-%lld/*", (long long)at, (long long)(at + len - 1));
    tn_cloud_call c;
    new_call(&c, w->s, "PUT", w->pw.key);
    c.body = data;
    c.body_len = len;
    tn_buf_init(&c.url, 0);
    TN_TRY(tn_buf_append_str(&c.url, w->session, err));
    tn_cloud_add_extra(&c, "Content-Range", range);
    tn_http_response r;
    tn_http_stats st = {&w->s->base.metrics.retries, &w->s->base.metrics.throttles, &w->s->base.limiter,
                        &w->s->base.metrics.requests};
    int rc = tn_http_execute(&w->s->retry, build, &c, st, &r, err);
    tn_buf_reset(&c.url);
    if (!rc && !(r.status == 308 && !last)) /* 308: chunk accepted, send more */
        rc = tn_cloud_check(&r, w->s->base.scheme, w->s->base.root, w->pw.key, err);
    int attempts = r.attempts;
    tn_http_response_reset(&r);
    return last ? settle(w, rc, attempts, err) : rc;
}

static int session_begin(void *up, tarn_error *err)
{
    return start_session(up, err);
}

static int session_part(void *up, int index, const uint8_t *data, int64_t len, char id[TN_PART_ID_MAX],
                        tarn_error *err)
{
    gcs_writer *w = up;
    snprintf(id, TN_PART_ID_MAX, "%d", index);
    return send_chunk(w, (int64_t)index * w->s->base.part_size, data, len, false, err);
}

static int session_complete(void *up, const uint8_t *last, int64_t last_len, char (*ids)[TN_PART_ID_MAX], int n,
                            tarn_error *err)
{
    (void)ids;
    gcs_writer *w = up;
    return send_chunk(w, (int64_t)n * w->s->base.part_size, last, last_len, true, err);
}

static int gw_single(void *up, const uint8_t *data, int64_t len, tarn_error *err)
{
    gcs_writer *w = up;
    return gcs_put(&w->s->base, w->pw.key, data, len, &w->pw.opts, err);
}

static void session_cancel(void *up, char (*ids)[TN_PART_ID_MAX], int n)
{
    (void)ids;
    (void)n;
    gcs_writer *w = up;
    if (!w->session)
        return;
    tn_cloud_call c;
    new_call(&c, w->s, "DELETE", w->pw.key);
    tn_buf_init(&c.url, 0);
    if (tn_buf_append_str(&c.url, w->session, NULL) == TARN_OK) {
        tn_http_response r;
        tn_http_stats st = {NULL, NULL, &w->s->base.limiter, &w->s->base.metrics.requests};
        if (tn_http_execute(&w->s->retry, build, &c, st, &r, NULL) == TARN_OK)
            tn_http_response_reset(&r);
    }
    tn_buf_reset(&c.url);
}

static const tn_part_ops session_ops = {session_begin, session_part, session_complete, gw_single, session_cancel};

/* The name of component `index` ('p') or intermediate composite ('c'). */
static void temp_name(const gcs_writer *w, char kind, int index, char *out, size_t cap)
{
    snprintf(out, cap, "%s.tarn-parts/%s.%c%05d", w->dir, w->pw.nonce, kind, index);
}

static int compose_part(void *up, int index, const uint8_t *data, int64_t len, char id[TN_PART_ID_MAX],
                        tarn_error *err)
{
    gcs_writer *w = up;
    temp_name(w, 'p', index, id, TN_PART_ID_MAX);
    return gcs_put(&w->s->base, id, data, len, NULL, err);
}

/* Compose sources into dest; o and nonce only for the final object. */
static int compose(gcs_writer *w, const char *dest, char (*src)[TN_PART_ID_MAX], int n, const tn_put_options *o,
                   tarn_error *err)
{
    json_t *body = json_object(), *list = json_array(), *dst = json_object();
    for (int i = 0; i < n; i++) {
        json_t *one = json_object();
        json_object_set_new(one, "name", json_string(src[i]));
        json_array_append_new(list, one);
    }
    json_object_set_new(body, "sourceObjects", list);
    json_object_set_new(dst, "contentType", json_string("application/octet-stream"));
    if (o) {
        json_t *meta = json_object();
        json_object_set_new(meta, META_UPLOAD, json_string(w->pw.nonce));
        json_object_set_new(dst, "metadata", meta);
    }
    json_object_set_new(body, "destination", dst);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    TN_TRY_ALLOC(text, err, 4096);
    tn_cloud_call c;
    new_call(&c, w->s, "POST", dest);
    char cond[64], q[80];
    condition_query(o, cond, sizeof cond, '?');
    snprintf(q, sizeof q, "/compose%s", cond);
    int rc = make_url(&c, "/storage/v1", dest, q, err);
    if (rc) {
        tn_buf_reset(&c.url);
        free(text);
        return rc;
    }
    c.body = text;
    c.body_len = (int64_t)strlen(text);
    tn_cloud_add_extra(&c, "Content-Type", "application/json");
    tn_http_response r;
    rc = tn_cloud_run(&c, &r, err);
    if (!rc)
        tn_http_response_reset(&r);
    free(text);
    return o ? settle(w, rc, c.attempts, err) : rc;
}

/* Delete the named temporaries, several at a time. */
typedef struct deleting {
    gcs_writer *w;
    char (*names)[TN_PART_ID_MAX];
    int n;
    _Atomic int next;
} deleting;

static void *delete_worker(void *arg)
{
    deleting *d = arg;
    for (int i; (i = atomic_fetch_add(&d->next, 1)) < d->n;)
        if (d->names[i][0])
            (void)gcs_remove(&d->w->s->base, d->names[i], NULL);
    return NULL;
}

static void delete_all(gcs_writer *w, char (*names)[TN_PART_ID_MAX], int n)
{
    deleting d = {.w = w, .names = names, .n = n};
    atomic_init(&d.next, 0);
    pthread_t t[64];
    int nt = 0;
    for (int k = 1; k < w->s->base.concurrency && k < n && k < 64; k++)
        if (pthread_create(&t[nt], NULL, delete_worker, &d) == 0)
            nt++;
    delete_worker(&d);
    for (int k = 0; k < nt; k++)
        pthread_join(t[k], NULL);
}

static void compose_abort(void *up, char (*ids)[TN_PART_ID_MAX], int n)
{
    gcs_writer *w = up;
    delete_all(w, ids, n);
    char(*temps)[TN_PART_ID_MAX] = w->n_temps ? tn_calloc((size_t)w->n_temps, sizeof *temps) : NULL;
    for (int i = 0; temps && i < w->n_temps; i++)
        temp_name(w, 'c', i, temps[i], TN_PART_ID_MAX);
    if (temps)
        delete_all(w, temps, w->n_temps);
    tn_free(temps);
}

static int compose_complete(void *up, const uint8_t *last, int64_t last_len, char (*ids)[TN_PART_ID_MAX], int n,
                            tarn_error *err)
{
    gcs_writer *w = up;
    int total = n + (last_len > 0);
    char(*names)[TN_PART_ID_MAX] = tn_calloc((size_t)total + 1, sizeof *names);
    TN_TRY_ALLOC(names, err, sizeof *names * (size_t)(total + 1));
    memcpy(names, ids, sizeof *names * (size_t)n);
    int rc = last_len > 0 ? compose_part(w, n, last, last_len, names[n], err) : TARN_OK;
    /* more than 32 components: compose groups of 32 into intermediates first */
    int groups = (total + COMPOSE_MAX - 1) / COMPOSE_MAX;
    char(*mid)[TN_PART_ID_MAX] = NULL;
    if (!rc && groups > 1) {
        if (groups > COMPOSE_MAX)
            rc = tn_error_set(err, TARN_EINVAL, "gs://%s/%s: %d parts are more than compose joins (%d); use a larger part_size",
                              w->s->base.root, w->pw.key, total, COMPOSE_MAX * COMPOSE_MAX);
        else if (!(mid = tn_calloc((size_t)groups, sizeof *mid)))
            rc = tn_error_oom(err, sizeof *mid * (size_t)groups);
        for (int g = 0; !rc && g < groups; g++) {
            temp_name(w, 'c', g, mid[g], TN_PART_ID_MAX);
            w->n_temps = g + 1;
            int k = total - g * COMPOSE_MAX < COMPOSE_MAX ? total - g * COMPOSE_MAX : COMPOSE_MAX;
            rc = compose(w, mid[g], names + g * COMPOSE_MAX, k, NULL, err);
        }
    }
    tn_put_options final = w->pw.opts;
    if (!rc)
        rc = mid ? compose(w, w->pw.key, mid, groups, &final, err) : compose(w, w->pw.key, names, total, &final, err);
    /* the components go whatever happened; after a failure, the abort
     * that follows finds nothing left to delete */
    delete_all(w, names, total);
    if (mid)
        delete_all(w, mid, groups);
    w->n_temps = 0;
    memset(ids, 0, sizeof *ids * (size_t)n);
    tn_free(names);
    tn_free(mid);
    return rc;
}

static const tn_part_ops compose_ops = {NULL, compose_part, compose_complete, gw_single, compose_abort};

static int gcs_writer_open(tn_store *base, const char *key, const tn_put_options *o, tn_store_writer **out,
                           tarn_error *err)
{
    int conc = base->concurrency;
    gcs_writer *w;
    TN_TRY(tn_part_writer_new(sizeof *w, base, key, o, conc > 1 ? &compose_ops : &session_ops, conc, (void **)&w,
                              err));
    w->s = (gcs_store *)base;
    w->pw.cleanup = gw_cleanup;
    const char *slash = strrchr(key, '/');
    w->dir = tn_strndup(key, slash ? (size_t)(slash - key + 1) : 0);
    if (!w->dir) {
        w->pw.base.abort(&w->pw.base);
        return tn_error_oom(err, strlen(key));
    }
    *out = &w->pw.base;
    return TARN_OK;
}

/* --- listing ------------------------------------------------------------------ */

/* One page of a list answer, merged into name order. Exposed to the fuzzer. */
int tn_gcs_parse_list(const char *json, size_t n, tn_list_fn fn, void *ctx, char **next_token, tarn_error *err);

typedef struct named {
    const char *name;
    json_t *item; /* NULL for a prefix */
} named;

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

int tn_gcs_parse_list(const char *json, size_t n, tn_list_fn fn, void *ctx, char **next_token, tarn_error *err)
{
    *next_token = NULL;
    json_error_t jerr;
    json_t *j = json_loadb(json, n, 0, &jerr);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return tn_error_set(err, TARN_ENETWORK, "gs: unreadable list answer (%s at byte %d)", j ? "not an object" : jerr.text,
                            j ? 0 : jerr.position);
    }
    json_t *items = json_object_get(j, "items"), *prefixes = json_object_get(j, "prefixes");
    size_t ni = json_is_array(items) ? json_array_size(items) : 0;
    size_t np = json_is_array(prefixes) ? json_array_size(prefixes) : 0;
    named *all = ni + np ? tn_calloc(ni + np, sizeof *all) : NULL;
    int rc = TARN_OK;
    size_t k = 0;
    if (ni + np && !all) {
        rc = tn_error_oom(err, (ni + np) * sizeof *all);
    } else {
        for (size_t i = 0; i < ni; i++) {
            json_t *it = json_array_get(items, i);
            const char *name = json_string_value(json_object_get(it, "name"));
            if (name)
                all[k++] = (named){name, it};
        }
        for (size_t i = 0; i < np; i++) {
            const char *name = json_string_value(json_array_get(prefixes, i));
            if (name)
                all[k++] = (named){name, NULL};
        }
        if (k > 1)
            qsort(all, k, sizeof *all, cmp_named);
    }
    for (size_t i = 0; i < k && !rc; i++) {
        tn_list_entry e = {.key = all[i].name, .is_prefix = all[i].item == NULL};
        if (all[i].item)
            meta_from_json(all[i].item, &e.meta);
        rc = fn(ctx, &e, err);
    }
    const char *tok = json_string_value(json_object_get(j, "nextPageToken"));
    if (!rc && tok && *tok && !(*next_token = tn_strdup(tok)))
        rc = tn_error_oom(err, strlen(tok) + 1);
    tn_free(all);
    json_decref(j);
    return rc;
}

static int gcs_list(tn_store *base, const char *prefix, bool delimited, tn_list_fn fn, void *ctx, tarn_error *err)
{
    char *token = NULL;
    int rc = TARN_OK;
    do {
        tn_cloud_call c;
        new_call(&c, (gcs_store *)base, "GET", prefix);
        tn_buf q;
        tn_buf_init(&q, 0);
        rc = tn_buf_append_str(&q, "?prefix=", err);
        if (!rc)
            rc = tn_uri_encode(prefix, false, &q, err);
        if (!rc && delimited)
            rc = tn_buf_append_str(&q, "&delimiter=%2F", err);
        if (!rc && token) {
            rc = tn_buf_append_str(&q, "&pageToken=", err);
            if (!rc)
                rc = tn_uri_encode(token, false, &q, err);
        }
        if (!rc)
            rc = make_url(&c, "/storage/v1", NULL, (char *)q.data, err);
        tn_buf_reset(&q);
        tn_free(token);
        token = NULL;
        if (rc) {
            tn_buf_reset(&c.url);
            break;
        }
        tn_http_response r;
        if ((rc = tn_cloud_run(&c, &r, err)))
            break;
        rc = tn_gcs_parse_list(r.body ? (const char *)r.body->data : "{}", r.body ? (size_t)r.body->size : 2, fn, ctx,
                               &token, err);
        tn_http_response_reset(&r);
    } while (!rc && token);
    tn_free(token);
    return rc;
}

static int gcs_remove(tn_store *base, const char *key, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (gcs_store *)base, "DELETE", key);
    TN_TRY(make_url(&c, "/storage/v1", key, NULL, err));
    tn_http_response r;
    int rc = tn_cloud_run(&c, &r, err);
    if (rc == TARN_ENOTFOUND)
        return TARN_OK;
    if (!rc)
        tn_http_response_reset(&r);
    return rc;
}

static int gcs_copy(tn_store *base, const char *from, const char *to, const tn_put_options *o, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (gcs_store *)base, "POST", to);
    tn_buf q;
    tn_buf_init(&q, 0);
    char cond[64];
    condition_query(o, cond, sizeof cond, '?');
    int rc = tn_buf_append_str(&q, "/rewriteTo/b/", err);
    if (!rc)
        rc = tn_uri_encode(base->root, false, &q, err);
    if (!rc)
        rc = tn_buf_append_str(&q, "/o/", err);
    if (!rc)
        rc = tn_uri_encode(to, false, &q, err);
    if (!rc)
        rc = tn_buf_append_str(&q, cond, err);
    if (!rc)
        rc = make_url(&c, "/storage/v1", from, (char *)q.data, err);
    tn_buf_reset(&q);
    if (rc) {
        tn_buf_reset(&c.url);
        return rc;
    }
    tn_http_response r;
    rc = tn_cloud_conflict(tn_cloud_run(&c, &r, err), o, err);
    if (!rc) {
        /* large rewrites may need more calls; the JSON says when done */
        json_t *j = body_json(&r);
        bool done = !j || json_is_true(json_object_get(j, "done")) || !json_object_get(j, "done");
        json_decref(j);
        tn_http_response_reset(&r);
        if (!done)
            rc = tn_error_set(err, TARN_EUNSUPPORTED, "gs://%s/%s: multi-call rewrite is not supported yet", base->root, to);
    }
    return rc;
}

static int gcs_rename(tn_store *base, const char *from, const char *to, const tn_put_options *o, tarn_error *err)
{
    TN_TRY(gcs_copy(base, from, to, o, err));
    return gcs_remove(base, from, err);
}

static void gcs_destroy(tn_store *base)
{
    tn_limiter_destroy(&base->limiter);
    gcs_store *s = (gcs_store *)base;
    EVP_PKEY_free(s->key);
    OPENSSL_cleanse(s->token, sizeof s->token);
    pthread_mutex_destroy(&s->lock);
    tn_free(s->endpoint);
    tn_free(s->client_email);
    tn_free(s->token_uri);
    tn_free(base->scheme);
    tn_free(base->root);
    tn_free(s);
}

static const tn_store_ops gcs_ops = {
    .name = "gcs",
    .head = gcs_head,
    .get = gcs_get,
    .put = gcs_put,
    .writer_open = gcs_writer_open,
    .put_stream = gcs_put_stream,
    .max_single_put = (int64_t)5 << 40, /* GCS's object size limit */
    .get_stream = gcs_get_stream,
    .list = gcs_list,
    .remove = gcs_remove,
    .copy = gcs_copy,
    .rename = gcs_rename,
    .destroy = gcs_destroy,
};

static int load_key(gcs_store *s, const char *path, tarn_error *err)
{
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    if (!j)
        return tn_error_set(err, TARN_EINVAL, "%s: not a service-account key: %s (line %d)", path, jerr.text, jerr.line);
    const char *email = json_string_value(json_object_get(j, "client_email"));
    const char *pem = json_string_value(json_object_get(j, "private_key"));
    const char *uri = json_string_value(json_object_get(j, "token_uri"));
    int rc = TARN_OK;
    if (!email || !pem) {
        rc = tn_error_set(err, TARN_EINVAL, "%s: a service-account key needs client_email and private_key", path);
    } else {
        s->client_email = tn_strdup(email);
        s->token_uri = tn_strdup(uri ? uri : "https://oauth2.googleapis.com/token");
        BIO *bio = BIO_new_mem_buf(pem, -1);
        s->key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
        if (!s->client_email || !s->token_uri)
            rc = tn_error_oom(err, 256);
        else if (!s->key)
            rc = tn_error_set(err, TARN_EINVAL, "%s: private_key is not a PEM private key", path);
    }
    json_decref(j);
    return rc;
}

int tn_store_gcs_open(const char *bucket, tn_store **out, tarn_error *err)
{
    return tn_store_gcs_open_with(bucket, NULL, out, err);
}

int tn_store_gcs_open_with(const char *bucket, const tn_store_settings *cfg, tn_store **out, tarn_error *err)
{
    *out = NULL;
    gcs_store *s = tn_calloc(1, sizeof *s);
    TN_TRY_ALLOC(s, err, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->base.ops = &gcs_ops;
    s->base.scheme = tn_strdup("gs");
    s->base.root = tn_strdup(bucket);
    tn_retry_policy_default(&s->retry);
    tn_limiter_init(&s->base.limiter, 16, 1, 64);
    int rc = tn_store_transfer_settings(&s->base, cfg, 256 << 10, err);
    if (rc)
        goto fail;
    /* resumable chunks are multiples of 256 KiB */
    s->base.part_size = (s->base.part_size + (256 << 10) - 1) & ~(int64_t)((256 << 10) - 1);
    const char *emu = tn_setting(cfg, "endpoint", "STORAGE_EMULATOR_HOST", NULL);
    if (emu)
        s->endpoint = strstr(emu, "://") ? tn_strdup(emu) : tn_sprintf("http://%s", emu);
    else
        s->endpoint = tn_strdup("https://storage.googleapis.com");
    if (!s->base.scheme || !s->base.root || !s->endpoint) {
        rc = tn_error_oom(err, 256);
        goto fail;
    }
    size_t n = strlen(s->endpoint);
    while (n && s->endpoint[n - 1] == '/')
        s->endpoint[--n] = '\0';
    const char *cred = tn_setting(cfg, "credentials", "GOOGLE_APPLICATION_CREDENTIALS", NULL);
    if (cred && (rc = load_key(s, cred, err)))
        goto fail;
    *out = &s->base;
    return TARN_OK;
fail:
    gcs_destroy(&s->base);
    return rc;
}
