/*
 * store_s3.c — Amazon S3 and S3-compatible services (MinIO, R2, Ceph, GCS's
 * XML API with HMAC keys) through the REST API, signed with SigV4.
 *
 * Configuration comes from the environment, as AWS tools read it:
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN   credentials
 *   AWS_PROFILE + ~/.aws/credentials and ~/.aws/config             profiles
 *   AWS_REGION / AWS_DEFAULT_REGION                                region
 *   AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL                         endpoint override
 *   AWS_S3_FORCE_PATH_STYLE=1                                      path-style URLs
 *   TARN_S3_EMULATE_SUFFIX_RANGE=1   for services that answer "bytes=-N" wrongly
 * No credentials at all means anonymous (unsigned) requests. A named
 * profile (profile.h) replaces all of these with its own keys.
 *
 * Large writes use multipart uploads; a failed or aborted upload is aborted
 * on the service so no parts are left behind. Conditional writes map to
 * If-None-Match: * (create) and If-Match: ETAG (replace).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "store/cloud.h"
#include "store/http.h"
#include "store/ini.h"
#include "store/profile.h"
#include "store/store.h"
#include "store/xml.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct s3_store {
    tn_store base;
    char *endpoint;   /* scheme://host[:port], no trailing slash */
    char *host;       /* host[:port] as sent in Host */
    char *access_key, *secret_key, *token, *region;
    bool path_style;
    bool emulate_suffix;
    tn_retry_policy retry;
} s3_store;

/* --- configuration ------------------------------------------------------------ */

/* ~/.aws/credentials and ~/.aws/config, read once per store opened. */
typedef struct aws_files {
    tn_ini credentials, config;
    const char *profile; /* AWS_PROFILE or "default" */
} aws_files;

static int load_aws_files(aws_files *f, tarn_error *err)
{
    memset(f, 0, sizeof *f);
    const char *p = getenv("AWS_PROFILE");
    f->profile = p && *p ? p : "default";
    const char *home = getenv("HOME");
    if (!home || !*home)
        return TARN_OK;
    char path[1024];
    snprintf(path, sizeof path, "%s/.aws/credentials", home);
    TN_TRY(tn_ini_load(path, &f->credentials, err));
    snprintf(path, sizeof path, "%s/.aws/config", home);
    int rc = tn_ini_load(path, &f->config, err);
    if (rc)
        tn_ini_reset(&f->credentials);
    return rc;
}

static void free_aws_files(aws_files *f)
{
    tn_ini_reset(&f->credentials);
    tn_ini_reset(&f->config);
}

/* key of the profile in one of the files: [NAME] or [profile NAME]. */
static const char *aws_value(const tn_ini *ini, const char *profile, const char *key)
{
    const char *v = tn_ini_get(ini, profile, key);
    if (!v) {
        char section[256];
        snprintf(section, sizeof section, "profile %s", profile);
        v = tn_ini_get(ini, section, key);
    }
    return v && *v ? v : NULL;
}

/* A setting (owned copy, or NULL): from the named tarn profile when there
 * is one, else the environment variable, else the AWS profile's key. */
static char *setting(const tn_store_settings *cfg, const aws_files *aws, const char *key, const char *env,
                     bool in_credentials, const char *aws_key)
{
    const char *v = tn_setting(cfg, key, env, NULL);
    if (!v && !cfg)
        v = aws_value(in_credentials ? &aws->credentials : &aws->config, aws->profile, aws_key);
    return v ? tn_strdup(v) : NULL;
}

/* --- requests ------------------------------------------------------------------ */


static int build(void *ctx, tn_http_request *req, tarn_error *err)
{
    tn_cloud_call *c = ctx;
    s3_store *s = (s3_store *)c->store;
    tn_cloud_request_body(c, req, "Range");
    /* the path as signed and as sent */
    tn_buf path, url;
    tn_buf_init(&path, 0);
    tn_buf_init(&url, 0);
    int rc = TARN_OK;
    char host[512];
    if (s->path_style) {
        snprintf(host, sizeof host, "%s", s->host);
        rc = tn_buf_printf(&path, err, "/%s/%s", s->base.root, c->key ? c->key : "");
    } else {
        snprintf(host, sizeof host, "%s.%s", s->base.root, s->host);
        rc = tn_buf_printf(&path, err, "/%s", c->key ? c->key : "");
    }
    if (!rc) {
        const char *scheme_end = strstr(s->endpoint, "://");
        rc = tn_buf_printf(&url, err, "%.*s%s", (int)(scheme_end - s->endpoint + 3), s->endpoint, host);
    }
    if (!rc)
        rc = tn_uri_encode((char *)path.data, true, &url, err);
    if (!rc)
        rc = tn_cloud_append_query(&url, c->query, c->n_query, err);
    if (!rc && url.len >= sizeof req->url)
        rc = tn_error_set(err, TARN_EINVAL, "URL too long for key '%s'", c->key ? c->key : "");
    if (!rc)
        memcpy(req->url, url.data, url.len + 1);
    char date[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
    const char *payload = c->body_len > 0 ? "UNSIGNED-PAYLOAD" : EMPTY_SHA256;
    if (!rc)
        rc = tn_http_add_header(req, "Host", host, err);
    if (!rc)
        rc = tn_http_add_header(req, "x-amz-date", date, err);
    if (!rc)
        rc = tn_http_add_header(req, "x-amz-content-sha256", payload, err);
    if (!rc && s->token)
        rc = tn_http_add_header(req, "x-amz-security-token", s->token, err);
    for (int i = 0; !rc && i < c->n_extra; i++)
        rc = tn_http_add_header(req, c->extra[i].name, c->extra[i].value, err);
    if (!rc && s->access_key && s->secret_key) {
        tn_sigv4_request sr = {.method = c->method, .path = (char *)path.data, .query = c->query,
                               .n_query = c->n_query, .headers = req->headers, .n_headers = req->n_headers,
                               .payload_sha256 = payload};
        tn_sigv4_key key = {s->access_key, s->secret_key, s->region, "s3"};
        tn_buf auth;
        tn_buf_init(&auth, 0);
        rc = tn_sigv4_authorization(&sr, &key, date, &auth, err);
        if (!rc)
            rc = tn_http_add_header(req, "Authorization", (char *)auth.data, err);
        tn_buf_reset(&auth);
    }
    tn_buf_reset(&path);
    tn_buf_reset(&url);
    return rc;
}

static void new_call(tn_cloud_call *c, s3_store *s, const char *method, const char *key)
{
    tn_cloud_call_init(c, &s->base, &s->retry, build, method, key);
}

/* --- operations ------------------------------------------------------------ */

static int s3_head(tn_store *base, const char *key, tn_object_meta *meta, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (s3_store *)base, "HEAD", key);
    return tn_cloud_head(&c, meta, err);
}

static int s3_get(tn_store *base, const char *key, int64_t offset, int64_t length, tn_buffer **out, tarn_error *err)
{
    s3_store *s = (s3_store *)base;
    *out = NULL;
    if (offset < 0 && s->emulate_suffix) {
        tn_object_meta m;
        TN_TRY(s3_head(base, key, &m, err));
        offset = -offset > m.size ? 0 : m.size + offset;
        length = -1;
    }
    char range[64] = "";
    if (offset < 0)
        snprintf(range, sizeof range, "bytes=%lld", (long long)offset);
    else if (length >= 0 && length == 0)
        length = 0;
    else if (length >= 0)
        snprintf(range, sizeof range, "bytes=%lld-%lld", (long long)offset, (long long)(offset + length - 1));
    else if (offset > 0)
        snprintf(range, sizeof range, "bytes=%lld-", (long long)offset);
    if (length == 0 && offset >= 0) { /* a zero-byte range cannot be asked for */
        tn_object_meta m;
        TN_TRY(s3_head(base, key, &m, err));
        if (offset > m.size)
            return tn_error_set(err, TARN_EINVAL, "s3://%s/%s: range starts past the end", base->root, key);
        *out = tn_buffer_new(0);
        TN_TRY_ALLOC(*out, err, 64);
        return TARN_OK;
    }
    tn_cloud_call c;
    new_call(&c, s, "GET", key);
    if (*range)
        tn_cloud_add_extra(&c, "Range", range);
    tn_http_response r;
    int rc = tn_cloud_run(&c, &r, err);
    if (rc == TARN_EINVAL && strstr(err ? err->message : "", "InvalidRange"))
        tn_error_prefix(err, "range starts past the end: ");
    TN_TRY(rc);
    *out = r.body ? r.body : tn_buffer_new(0);
    r.body = NULL;
    tn_http_response_reset(&r);
    TN_TRY_ALLOC(*out, err, 64);
    return TARN_OK;
}

static int s3_put(tn_store *base, const char *key, const void *data, int64_t n, const tn_put_options *o,
                  tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (s3_store *)base, "PUT", key);
    return tn_cloud_put_bytes(&c, data, n, o, err);
}

/* One PUT whose body is pulled from the source as curl sends it, as a
 * single request: no part buffers and no concatenation at completion. */
static int s3_put_stream(tn_store *base, const char *key, int64_t size, tn_read_at_fn read, void *ctx,
                         const tn_put_options *o, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (s3_store *)base, "PUT", key);
    return tn_cloud_put_source(&c, size, read, ctx, o, err);
}

static int s3_get_stream(tn_store *base, const char *key, int64_t offset, int64_t length, tn_sink_fn sink,
                         void *ctx, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (s3_store *)base, "GET", key);
    return tn_cloud_get_stream(&c, offset, length, sink, ctx, err);
}

/* --- multipart writer: parts uploaded in parallel (parts.h) --------------- */

#define META_UPLOAD "x-amz-meta-tarn-upload"

typedef struct s3_writer {
    tn_part_writer pw; /* first: key, options, nonce, the part uploader */
    s3_store *s;
    char *upload_id;   /* set by begin */
} s3_writer;

static void sw_cleanup(tn_part_writer *pw)
{
    tn_free(((s3_writer *)pw)->upload_id);
}

/* CreateMultipartUpload; the nonce goes on the object as user metadata. */
static int sw_begin(void *up, tarn_error *err)
{
    s3_writer *w = up;
    tn_cloud_call c;
    new_call(&c, w->s, "POST", w->pw.key);
    tn_cloud_add_query(&c, "uploads", "");
    tn_cloud_add_extra(&c, META_UPLOAD, w->pw.nonce);
    tn_http_response r;
    TN_TRY(tn_cloud_run(&c, &r, err));
    tn_buf id;
    tn_buf_init(&id, 4096);
    tn_xml doc = {r.body ? (const char *)r.body->data : "", r.body ? (const char *)r.body->data + r.body->size : ""};
    int rc = tn_xml_text(&doc, "UploadId", &id, err);
    tn_http_response_reset(&r);
    if (rc) {
        tn_buf_reset(&id);
        return tn_error_set(err, TARN_ENETWORK, "s3://%s/%s: no UploadId in the multipart answer", w->s->base.root,
                            w->pw.key);
    }
    w->upload_id = tn_buf_take(&id);
    return TARN_OK;
}

static int sw_part(void *up, int index, const uint8_t *data, int64_t len, char id[TN_PART_ID_MAX], tarn_error *err)
{
    s3_writer *w = up;
    char num[16];
    snprintf(num, sizeof num, "%d", index + 1);
    tn_cloud_call c;
    new_call(&c, w->s, "PUT", w->pw.key);
    c.body = data;
    c.body_len = len;
    tn_cloud_add_query(&c, "partNumber", num);
    tn_cloud_add_query(&c, "uploadId", w->upload_id);
    tn_http_response r;
    TN_TRY(tn_cloud_run(&c, &r, err));
    const char *etag = tn_http_header(&r, "etag");
    snprintf(id, TN_PART_ID_MAX, "%s", etag ? etag : "");
    tn_http_response_reset(&r);
    return TARN_OK;
}

static int sw_complete(void *up, const uint8_t *last, int64_t last_len, char (*ids)[TN_PART_ID_MAX], int n,
                       tarn_error *err)
{
    s3_writer *w = up;
    char last_id[TN_PART_ID_MAX] = "";
    if (last_len > 0)
        TN_TRY(sw_part(w, n, last, last_len, last_id, err));
    tn_buf body;
    tn_buf_init(&body, 0);
    int rc = tn_buf_append_str(&body, "<CompleteMultipartUpload>", err);
    for (int i = 0; !rc && i <= n; i++)
        if (i < n || last_len > 0)
            rc = tn_buf_printf(&body, err, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i + 1,
                               i < n ? ids[i] : last_id);
    if (!rc)
        rc = tn_buf_append_str(&body, "</CompleteMultipartUpload>", err);
    if (!rc) {
        tn_cloud_call c;
        new_call(&c, w->s, "POST", w->pw.key);
        c.body = body.data;
        c.body_len = (int64_t)body.len;
        tn_cloud_add_query(&c, "uploadId", w->upload_id);
        char cond[80];
        tn_cloud_add_conditions(&c, &w->pw.opts, cond, sizeof cond);
        tn_http_response r;
        rc = tn_cloud_run(&c, &r, err);
        /* S3 can answer 200 with an <Error> body for a failed completion */
        if (!rc && r.body && r.body->size && memmem(r.body->data, (size_t)r.body->size, "<Error>", 7))
            rc = tn_error_set(err, TARN_ENETWORK, "s3://%s/%s: multipart completion failed", w->s->base.root,
                              w->pw.key);
        if (!rc)
            tn_http_response_reset(&r);
        /* a retried completion whose first attempt landed finds the upload
         * gone (NoSuchUpload) or, conditional, the object there: it is ours
         * when the object carries this upload's nonce */
        if ((rc == TARN_ENOTFOUND || rc == TARN_ECONFLICT) && c.attempts > 1) {
            tn_cloud_call h;
            new_call(&h, w->s, "HEAD", w->pw.key);
            if (tn_cloud_head_has(&h, META_UPLOAD, w->pw.nonce))
                rc = TARN_OK;
        }
        rc = tn_cloud_conflict(rc, &w->pw.opts, err);
    }
    tn_buf_reset(&body);
    return rc;
}

static int sw_single(void *up, const uint8_t *data, int64_t len, tarn_error *err)
{
    s3_writer *w = up;
    return s3_put(&w->s->base, w->pw.key, data, len, &w->pw.opts, err);
}

/* AbortMultipartUpload: the service drops every part. */
static void sw_abort(void *up, char (*ids)[TN_PART_ID_MAX], int n)
{
    (void)ids;
    (void)n;
    s3_writer *w = up;
    if (!w->upload_id)
        return;
    tn_cloud_call c;
    new_call(&c, w->s, "DELETE", w->pw.key);
    tn_cloud_add_query(&c, "uploadId", w->upload_id);
    tn_http_response r;
    if (tn_cloud_run(&c, &r, NULL) == TARN_OK)
        tn_http_response_reset(&r);
}

static const tn_part_ops s3_part_ops = {sw_begin, sw_part, sw_complete, sw_single, sw_abort};

static int s3_writer_open(tn_store *base, const char *key, const tn_put_options *o, tn_store_writer **out,
                          tarn_error *err)
{
    s3_writer *w;
    TN_TRY(tn_part_writer_new(sizeof *w, base, key, o, &s3_part_ops, base->concurrency, (void **)&w, err));
    w->s = (s3_store *)base;
    w->pw.cleanup = sw_cleanup;
    *out = &w->pw.base;
    return TARN_OK;
}

/* --- listing ------------------------------------------------------------------ */

typedef struct page {
    tn_list_entry *e;
    int64_t n, cap;
} page;

static int page_add(page *pg, const char *key, const tn_object_meta *m, bool is_prefix, tarn_error *err)
{
    if (pg->n == pg->cap) {
        int64_t cap = pg->cap ? pg->cap * 2 : 64;
        tn_list_entry *e = tn_realloc(pg->e, sizeof *e * (size_t)cap);
        TN_TRY_ALLOC(e, err, sizeof *e * (size_t)cap);
        pg->e = e;
        pg->cap = cap;
    }
    tn_list_entry *e = &pg->e[pg->n];
    memset(e, 0, sizeof *e);
    e->key = tn_strdup(key);
    TN_TRY_ALLOC(e->key, err, strlen(key) + 1);
    if (m)
        e->meta = *m;
    e->is_prefix = is_prefix;
    pg->n++;
    return TARN_OK;
}

static int cmp_entries(const void *a, const void *b)
{
    return strcmp(((const tn_list_entry *)a)->key, ((const tn_list_entry *)b)->key);
}

/* Objects and common prefixes of one page, merged into key order (some
 * S3-compatible services do not return them sorted). */
static int read_page(const tn_xml *doc, page *pg, tarn_error *err)
{
    tn_buf key, text;
    tn_buf_init(&key, 1 << 16);
    tn_buf_init(&text, 1 << 16);
    tn_xml cur = *doc, item;
    int rc = TARN_OK;
    while (!rc && tn_xml_next(&cur, "Contents", &item)) {
        tn_object_meta m;
        memset(&m, 0, sizeof m);
        if ((rc = tn_xml_text(&item, "Key", &key, err)))
            break;
        if (tn_xml_text(&item, "Size", &text, NULL) == TARN_OK)
            m.size = strtoll((char *)text.data, NULL, 10);
        if (tn_xml_text(&item, "ETag", &text, NULL) == TARN_OK) {
            snprintf(m.etag, sizeof m.etag, "%s", (char *)text.data);
            tn_cloud_unquote(m.etag);
        }
        if (tn_xml_text(&item, "LastModified", &text, NULL) == TARN_OK)
            m.last_modified = tn_cloud_time((char *)text.data);
        rc = page_add(pg, (char *)key.data, &m, false, err);
    }
    cur = *doc;
    while (!rc && tn_xml_next(&cur, "CommonPrefixes", &item))
        if (!(rc = tn_xml_text(&item, "Prefix", &key, err)))
            rc = page_add(pg, (char *)key.data, NULL, true, err);
    if (!rc && pg->n > 1)
        qsort(pg->e, (size_t)pg->n, sizeof *pg->e, cmp_entries);
    tn_buf_reset(&key);
    tn_buf_reset(&text);
    return rc;
}

static int s3_list(tn_store *base, const char *prefix, bool delimited, tn_list_fn fn, void *ctx, tarn_error *err)
{
    s3_store *s = (s3_store *)base;
    tn_buf token, text;
    tn_buf_init(&token, 1 << 16);
    tn_buf_init(&text, 1 << 16);
    int rc = TARN_OK;
    bool more = true;
    while (more && !rc) {
        tn_cloud_call c;
        new_call(&c, s, "GET", NULL);
        tn_cloud_add_query(&c, "list-type", "2");
        tn_cloud_add_query(&c, "prefix", prefix);
        if (delimited)
            tn_cloud_add_query(&c, "delimiter", "/");
        if (token.len)
            tn_cloud_add_query(&c, "continuation-token", (char *)token.data);
        tn_http_response r;
        if ((rc = tn_cloud_run(&c, &r, err)))
            break;
        tn_xml doc = {r.body ? (const char *)r.body->data : "", r.body ? (const char *)r.body->data + r.body->size : ""};
        page pg = {0};
        rc = read_page(&doc, &pg, err);
        for (int64_t i = 0; i < pg.n && !rc; i++)
            rc = fn(ctx, &pg.e[i], err);
        for (int64_t i = 0; i < pg.n; i++)
            tn_free((char *)pg.e[i].key);
        tn_free(pg.e);
        more = !rc && tn_xml_text(&doc, "IsTruncated", &text, NULL) == TARN_OK &&
               strcmp((char *)text.data, "true") == 0;
        if (more && tn_xml_text(&doc, "NextContinuationToken", &token, NULL) != TARN_OK)
            more = false;
        tn_http_response_reset(&r);
    }
    tn_buf_reset(&token);
    tn_buf_reset(&text);
    return rc;
}

static int s3_remove(tn_store *base, const char *key, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (s3_store *)base, "DELETE", key);
    tn_http_response r;
    int rc = tn_cloud_run(&c, &r, err);
    if (rc == TARN_ENOTFOUND) /* deleting what is not there is done */
        return TARN_OK;
    if (!rc)
        tn_http_response_reset(&r);
    return rc;
}

static int s3_copy(tn_store *base, const char *from, const char *to, const tn_put_options *o, tarn_error *err)
{
    if (o && o->mode != TN_PUT_OVERWRITE) {
        /* CopyObject has no destination precondition: read, then put conditionally */
        tn_buffer *b;
        TN_TRY(s3_get(base, from, 0, -1, &b, err));
        int rc = s3_put(base, to, b->data, b->size, o, err);
        tn_buffer_unref(b);
        return rc;
    }
    tn_buf src;
    tn_buf_init(&src, 0);
    int rc = tn_buf_printf(&src, err, "/%s/", base->root);
    if (!rc)
        rc = tn_uri_encode(from, true, &src, err);
    if (!rc) {
        tn_cloud_call c;
        new_call(&c, (s3_store *)base, "PUT", to);
        tn_cloud_add_extra(&c, "x-amz-copy-source", (char *)src.data);
        tn_http_response r;
        rc = tn_cloud_run(&c, &r, err);
        if (!rc)
            tn_http_response_reset(&r);
    }
    tn_buf_reset(&src);
    return rc;
}

static int s3_rename(tn_store *base, const char *from, const char *to, const tn_put_options *o, tarn_error *err)
{
    TN_TRY(s3_copy(base, from, to, o, err));
    return s3_remove(base, from, err);
}

static void s3_destroy(tn_store *base)
{
    tn_limiter_destroy(&base->limiter);
    s3_store *s = (s3_store *)base;
    tn_free(s->endpoint);
    tn_free(s->host);
    tn_free(s->access_key);
    if (s->secret_key)
        memset(s->secret_key, 0, strlen(s->secret_key));
    tn_free(s->secret_key);
    tn_free(s->token);
    tn_free(s->region);
    tn_free(base->scheme);
    tn_free(base->root);
    tn_free(s);
}

static const tn_store_ops s3_ops = {
    .name = "s3",
    .head = s3_head,
    .get = s3_get,
    .put = s3_put,
    .writer_open = s3_writer_open,
    .put_stream = s3_put_stream,
    .max_single_put = (int64_t)5 << 30, /* S3's limit for one PUT */
    .get_stream = s3_get_stream,
    .list = s3_list,
    .remove = s3_remove,
    .copy = s3_copy,
    .rename = s3_rename,
    .destroy = s3_destroy,
};

int tn_store_s3_open(const char *bucket, tn_store **out, tarn_error *err)
{
    return tn_store_s3_open_with(bucket, NULL, out, err);
}

int tn_store_s3_open_with(const char *bucket, const tn_store_settings *cfg, tn_store **out, tarn_error *err)
{
    *out = NULL;
    aws_files aws;
    memset(&aws, 0, sizeof aws);
    if (!cfg)
        TN_TRY(load_aws_files(&aws, err));
    s3_store *s = tn_calloc(1, sizeof *s);
    if (!s) {
        free_aws_files(&aws);
        return tn_error_oom(err, sizeof *s);
    }
    s->base.ops = &s3_ops;
    s->base.scheme = tn_strdup("s3");
    s->base.root = tn_strdup(bucket);
    tn_retry_policy_default(&s->retry);
    tn_limiter_init(&s->base.limiter, 16, 1, 64);
    int trc = tn_store_transfer_settings(&s->base, cfg, 5 << 20, err); /* S3's smallest part: 5 MiB */
    if (trc) {
        free_aws_files(&aws);
        s3_destroy(&s->base);
        return trc;
    }
    s->access_key = setting(cfg, &aws, "access_key_id", "AWS_ACCESS_KEY_ID", true, "aws_access_key_id");
    s->secret_key = setting(cfg, &aws, "secret_access_key", "AWS_SECRET_ACCESS_KEY", true, "aws_secret_access_key");
    s->token = setting(cfg, &aws, "session_token", "AWS_SESSION_TOKEN", true, "aws_session_token");
    s->region = setting(cfg, &aws, "region", "AWS_REGION", false, "region");
    if (!s->region && !cfg)
        s->region = setting(cfg, &aws, "region", "AWS_DEFAULT_REGION", false, "region");
    if (!s->region)
        s->region = tn_strdup("us-east-1");
    free_aws_files(&aws);
    const char *ep = tn_setting(cfg, "endpoint", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
    /* an endpoint override implies path-style (emulators, MinIO); a profile may say otherwise */
    if (cfg)
        s->path_style = tn_setting_bool(cfg, "path_style", NULL, ep != NULL);
    else
        s->path_style = ep || tn_setting_bool(NULL, NULL, "AWS_S3_FORCE_PATH_STYLE", false);
    s->emulate_suffix = tn_setting_bool(cfg, "emulate_suffix_range", "TARN_S3_EMULATE_SUFFIX_RANGE", false);
    if (ep)
        s->endpoint = tn_strdup(ep);
    else
        s->endpoint = tn_sprintf("https://s3.%s.amazonaws.com", s->region ? s->region : "us-east-1");
    if (!s->base.scheme || !s->base.root || !s->region || !s->endpoint) {
        s3_destroy(&s->base);
        return tn_error_oom(err, 256);
    }
    size_t n = strlen(s->endpoint);
    while (n && s->endpoint[n - 1] == '/')
        s->endpoint[--n] = '\0';
    const char *h = strstr(s->endpoint, "://");
    if (!h) {
        int rc = tn_error_set(err, TARN_EINVAL, "S3 endpoint '%s' is not a URL (http://host:port)", s->endpoint);
        s3_destroy(&s->base);
        return rc;
    }
    s->host = tn_strndup(h + 3, strcspn(h + 3, "/"));
    if (!s->host) {
        s3_destroy(&s->base);
        return tn_error_oom(err, 256);
    }
    *out = &s->base;
    return TARN_OK;
}
