/*
 * store_azure.c — Azure Blob Storage (block blobs) through the REST API,
 * authenticated with SharedKey or a SAS token.
 *
 * URLs: az://container/path, or abfs[s]://container@account.dfs.core.windows.net/path.
 * Environment, as Azure tools read it:
 *   AZURE_STORAGE_ACCOUNT_NAME (or AZURE_STORAGE_ACCOUNT)   account
 *   AZURE_STORAGE_ACCOUNT_KEY (or AZURE_STORAGE_KEY)        SharedKey secret (base64)
 *   AZURE_STORAGE_SAS_TOKEN                                 a SAS instead of a key
 *   AZURE_STORAGE_ENDPOINT   endpoint override, e.g. http://127.0.0.1:10000/devstoreaccount1
 *
 * SharedKey string to sign (service version 2015-02-21 and later):
 *   VERB \n Content-Encoding \n Content-Language \n Content-Length (empty if 0) \n
 *   Content-MD5 \n Content-Type \n Date \n If-Modified-Since \n If-Match \n
 *   If-None-Match \n If-Unmodified-Since \n Range \n
 *   x-ms-* headers as "name:value\n", lower-case, sorted
 *   "/" account encoded-path, then "\nname:value" per query parameter, sorted
 *
 * Large writes stage blocks (Put Block) and commit a block list; the commit
 * is the moment the blob appears, so a failed write leaves no blob (staged
 * blocks that were never committed are discarded by the service).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/alloc.h"
#include "store/cloud.h"
#include "store/http.h"
#include "store/profile.h"
#include "store/store.h"
#include "store/xml.h"

#define API_VERSION "2021-08-06"

typedef struct az_store {
    tn_store base;
    char *account;
    char *endpoint;     /* scheme://host[:port][/account] without trailing slash */
    char *path_prefix;  /* the endpoint's path part ("/devstoreaccount1" or "") */
    uint8_t key[128];   /* decoded SharedKey */
    int key_len;        /* 0: no key */
    char *sas;          /* SAS query string without '?' or NULL */
    tn_retry_policy retry;
} az_store;


static const char *find_extra(const tn_cloud_call *c, const char *name)
{
    for (int i = 0; i < c->n_extra; i++)
        if (strcasecmp(c->extra[i].name, name) == 0)
            return c->extra[i].value;
    return "";
}

static int cmp_kv(const void *a, const void *b)
{
    return strcmp(((const tn_kv_pair *)a)->name, ((const tn_kv_pair *)b)->name);
}

static int sign(const tn_cloud_call *c, const char *path, const char *date, tn_buf *auth, tarn_error *err)
{
    az_store *s = (az_store *)c->store;
    tn_buf sts;
    tn_buf_init(&sts, 0);
    char len[32] = ""; /* empty for zero-length bodies since version 2015-02-21 */
    if (c->body_len > 0)
        snprintf(len, sizeof len, "%lld", (long long)c->body_len);
    int rc = tn_buf_printf(&sts, err, "%s\n\n\n%s\n\n%s\n\n\n%s\n%s\n\n%s\n", c->method, len,
                           find_extra(c, "Content-Type"), find_extra(c, "If-Match"), find_extra(c, "If-None-Match"),
                           find_extra(c, "Range"));
    /* x-ms-* headers, sorted: the extras that start with x-ms- plus date and version */
    tn_kv_pair ms[10];
    int n = 0;
    ms[n++] = (tn_kv_pair){"x-ms-date", date};
    ms[n++] = (tn_kv_pair){"x-ms-version", API_VERSION};
    for (int i = 0; i < c->n_extra && n < 10; i++)
        if (strncasecmp(c->extra[i].name, "x-ms-", 5) == 0)
            ms[n++] = c->extra[i];
    qsort(ms, (size_t)n, sizeof *ms, cmp_kv);
    for (int i = 0; i < n && !rc; i++)
        rc = tn_buf_printf(&sts, err, "%s:%s\n", ms[i].name, ms[i].value);
    if (!rc)
        rc = tn_buf_printf(&sts, err, "/%s%s", s->account, path);
    tn_kv_pair q[TN_CLOUD_MAX_PARAMS];
    memcpy(q, c->query, sizeof(tn_kv_pair) * (size_t)c->n_query);
    qsort(q, (size_t)c->n_query, sizeof *q, cmp_kv);
    for (int i = 0; i < c->n_query && !rc; i++)
        rc = tn_buf_printf(&sts, err, "\n%s:%s", q[i].name, q[i].value);
    if (!rc) {
        unsigned char mac[32];
        unsigned int mlen = 32;
        HMAC(EVP_sha256(), s->key, s->key_len, sts.data, sts.len, mac, &mlen);
        char b64[64];
        EVP_EncodeBlock((unsigned char *)b64, mac, 32);
        rc = tn_buf_printf(auth, err, "SharedKey %s:%s", s->account, b64);
    }
    tn_buf_reset(&sts);
    return rc;
}

static int build(void *ctx, tn_http_request *req, tarn_error *err)
{
    tn_cloud_call *c = ctx;
    az_store *s = (az_store *)c->store;
    tn_cloud_request_body(c, req, "x-ms-range"); /* signed with the other x-ms- headers */
    tn_buf path, url;
    tn_buf_init(&path, 0);
    tn_buf_init(&url, 0);
    int rc = tn_buf_printf(&path, err, "%s/", s->path_prefix);
    if (!rc)
        rc = tn_uri_encode(s->base.root, false, &path, err);
    if (!rc && c->key) {
        rc = tn_buf_append_byte(&path, '/', err);
        if (!rc)
            rc = tn_uri_encode(c->key, true, &path, err);
    }
    const char *host_end = strstr(s->endpoint, "://");
    host_end = host_end ? strchr(host_end + 3, '/') : NULL;
    int origin = host_end ? (int)(host_end - s->endpoint) : (int)strlen(s->endpoint);
    if (!rc)
        rc = tn_buf_printf(&url, err, "%.*s%s", origin, s->endpoint, (char *)path.data);
    if (!rc)
        rc = tn_cloud_append_query(&url, c->query, c->n_query, err);
    if (!rc && s->sas)
        rc = tn_buf_printf(&url, err, "%c%s", c->n_query ? '&' : '?', s->sas);
    if (!rc && url.len >= sizeof req->url)
        rc = tn_error_set(err, TARN_EINVAL, "URL too long for blob '%s'", c->key ? c->key : "");
    if (!rc)
        memcpy(req->url, url.data, url.len + 1);
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!rc)
        rc = tn_http_add_header(req, "x-ms-date", date, err);
    if (!rc)
        rc = tn_http_add_header(req, "x-ms-version", API_VERSION, err);
    for (int i = 0; !rc && i < c->n_extra; i++)
        rc = tn_http_add_header(req, c->extra[i].name, c->extra[i].value, err);
    if (!rc && c->body_len == 0 && (strcmp(c->method, "PUT") == 0 || strcmp(c->method, "POST") == 0))
        rc = tn_http_add_header(req, "Content-Length", "0", err);
    if (!rc && s->key_len && !s->sas) {
        tn_buf auth;
        tn_buf_init(&auth, 0);
        rc = sign(c, (char *)path.data, date, &auth, err);
        if (!rc)
            rc = tn_http_add_header(req, "Authorization", (char *)auth.data, err);
        tn_buf_reset(&auth);
    }
    tn_buf_reset(&path);
    tn_buf_reset(&url);
    return rc;
}

static void new_call(tn_cloud_call *c, az_store *s, const char *method, const char *blob)
{
    tn_cloud_call_init(c, &s->base, &s->retry, build, method, blob);
}

static int az_head(tn_store *base, const char *key, tn_object_meta *meta, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (az_store *)base, "HEAD", key);
    return tn_cloud_head(&c, meta, err);
}

static int az_get(tn_store *base, const char *key, int64_t offset, int64_t length, tn_buffer **out, tarn_error *err)
{
    *out = NULL;
    if (offset < 0 || length == 0) { /* Blob storage has no suffix ranges, nor empty ones */
        tn_object_meta m;
        TN_TRY(az_head(base, key, &m, err));
        if (offset < 0) {
            offset = -offset > m.size ? 0 : m.size + offset;
            length = -1;
        } else if (offset > m.size) {
            return tn_error_set(err, TARN_EINVAL, "az://%s/%s: range starts past the end", base->root, key);
        }
        if (length == 0 || offset == m.size) {
            *out = tn_buffer_new(0);
            TN_TRY_ALLOC(*out, err, 64);
            return TARN_OK;
        }
    }
    char range[64] = "";
    if (length > 0)
        snprintf(range, sizeof range, "bytes=%lld-%lld", (long long)offset, (long long)(offset + length - 1));
    else if (offset > 0)
        snprintf(range, sizeof range, "bytes=%lld-", (long long)offset);
    tn_cloud_call c;
    new_call(&c, (az_store *)base, "GET", key);
    if (*range)
        tn_cloud_add_extra(&c, "x-ms-range", range);
    tn_http_response r;
    int rc = tn_cloud_run(&c, &r, err);
    if (rc == TARN_EINVAL && err && strstr(err->message, "InvalidRange"))
        tn_error_prefix(err, "range starts past the end: ");
    TN_TRY(rc);
    *out = r.body ? r.body : tn_buffer_new(0);
    r.body = NULL;
    tn_http_response_reset(&r);
    TN_TRY_ALLOC(*out, err, 64);
    return TARN_OK;
}

static int az_put(tn_store *base, const char *key, const void *data, int64_t n, const tn_put_options *o,
                  tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (az_store *)base, "PUT", key);
    tn_cloud_add_extra(&c, "x-ms-blob-type", "BlockBlob");
    return tn_cloud_put_bytes(&c, data, n, o, err);
}

/* One Put Blob whose body is pulled from the source as curl sends it. */
static int az_put_stream(tn_store *base, const char *key, int64_t size, tn_read_at_fn read, void *ctx,
                         const tn_put_options *o, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (az_store *)base, "PUT", key);
    tn_cloud_add_extra(&c, "x-ms-blob-type", "BlockBlob");
    return tn_cloud_put_source(&c, size, read, ctx, o, err);
}

static int az_get_stream(tn_store *base, const char *key, int64_t offset, int64_t length, tn_sink_fn sink,
                         void *ctx, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (az_store *)base, "GET", key);
    return tn_cloud_get_stream(&c, offset, length, sink, ctx, err);
}

/* --- block writer: blocks staged in parallel (parts.h), one block list -- */

#define META_UPLOAD "x-ms-meta-tarnupload" /* metadata names are identifiers */

typedef struct az_writer {
    tn_part_writer pw; /* first: key, options, nonce, the part uploader */
    az_store *s;
} az_writer;

/* Block ids must all have the same length within a blob; the nonce keeps
 * this upload's apart from any other's. */
static void block_id(const az_writer *w, int index, char id[TN_PART_ID_MAX])
{
    char raw[64];
    snprintf(raw, sizeof raw, "%s-%08d", w->pw.nonce, index);
    EVP_EncodeBlock((unsigned char *)id, (const unsigned char *)raw, (int)strlen(raw));
}

static int aw_part(void *up, int index, const uint8_t *data, int64_t len, char id[TN_PART_ID_MAX], tarn_error *err)
{
    az_writer *w = up;
    block_id(w, index, id);
    tn_cloud_call c;
    new_call(&c, w->s, "PUT", w->pw.key);
    c.body = data;
    c.body_len = len;
    tn_cloud_add_query(&c, "comp", "block");
    tn_cloud_add_query(&c, "blockid", id);
    tn_http_response r;
    TN_TRY(tn_cloud_run(&c, &r, err));
    tn_http_response_reset(&r);
    return TARN_OK;
}

/* Put Block List: the blob appears whole, carrying the upload's nonce. */
static int aw_complete(void *up, const uint8_t *last, int64_t last_len, char (*ids)[TN_PART_ID_MAX], int n,
                       tarn_error *err)
{
    az_writer *w = up;
    char last_id[TN_PART_ID_MAX] = "";
    if (last_len > 0)
        TN_TRY(aw_part(w, n, last, last_len, last_id, err));
    tn_buf body;
    tn_buf_init(&body, 0);
    int rc = tn_buf_append_str(&body, "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>", err);
    for (int i = 0; !rc && i <= n; i++)
        if (i < n || last_len > 0)
            rc = tn_buf_printf(&body, err, "<Latest>%s</Latest>", i < n ? ids[i] : last_id);
    if (!rc)
        rc = tn_buf_append_str(&body, "</BlockList>", err);
    if (!rc) {
        tn_cloud_call c;
        new_call(&c, w->s, "PUT", w->pw.key);
        c.body = body.data;
        c.body_len = (int64_t)body.len;
        tn_cloud_add_query(&c, "comp", "blocklist");
        tn_cloud_add_extra(&c, META_UPLOAD, w->pw.nonce);
        char cond[80];
        tn_cloud_add_conditions(&c, &w->pw.opts, cond, sizeof cond);
        tn_http_response r;
        rc = tn_cloud_run(&c, &r, err);
        if (!rc)
            tn_http_response_reset(&r);
        /* a conditional commit retried after its answer was lost meets
         * its own blob: ours when it carries this upload's nonce */
        if (rc == TARN_ECONFLICT && c.attempts > 1) {
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

static int aw_single(void *up, const uint8_t *data, int64_t len, tarn_error *err)
{
    az_writer *w = up;
    return az_put(&w->s->base, w->pw.key, data, len, &w->pw.opts, err);
}

/* Blocks never committed cannot be deleted one by one: the service
 * discards them (after a week, or when a block list is committed). */
static const tn_part_ops az_part_ops = {NULL, aw_part, aw_complete, aw_single, NULL};

static int az_writer_open(tn_store *base, const char *key, const tn_put_options *o, tn_store_writer **out,
                          tarn_error *err)
{
    az_writer *w;
    TN_TRY(tn_part_writer_new(sizeof *w, base, key, o, &az_part_ops, base->concurrency, (void **)&w, err));
    w->s = (az_store *)base;
    *out = &w->pw.base;
    return TARN_OK;
}

/* --- listing ------------------------------------------------------------------ */

static int az_list(tn_store *base, const char *prefix, bool delimited, tn_list_fn fn, void *ctx, tarn_error *err)
{
    az_store *s = (az_store *)base;
    tn_buf marker, name, text;
    tn_buf_init(&marker, 1 << 16);
    tn_buf_init(&name, 1 << 16);
    tn_buf_init(&text, 1 << 16);
    int rc = TARN_OK;
    bool more = true;
    while (more && !rc) {
        tn_cloud_call c;
        new_call(&c, s, "GET", NULL);
        tn_cloud_add_query(&c, "restype", "container");
        tn_cloud_add_query(&c, "comp", "list");
        tn_cloud_add_query(&c, "prefix", prefix);
        if (delimited)
            tn_cloud_add_query(&c, "delimiter", "/");
        if (marker.len)
            tn_cloud_add_query(&c, "marker", (char *)marker.data);
        tn_http_response r;
        if ((rc = tn_cloud_run(&c, &r, err)))
            break;
        tn_xml doc = {r.body ? (const char *)r.body->data : "", r.body ? (const char *)r.body->data + r.body->size : ""};
        /* Blob and BlobPrefix entries come interleaved in name order */
        tn_xml cur = doc;
        while (!rc) {
            tn_xml a = cur, b = cur, blob, pre;
            bool has_blob = tn_xml_next(&a, "Blob", &blob), has_pre = tn_xml_next(&b, "BlobPrefix", &pre);
            if (!has_blob && !has_pre)
                break;
            bool take_blob = has_blob && (!has_pre || blob.p < pre.p);
            tn_xml item = take_blob ? blob : pre;
            cur = take_blob ? a : b;
            if ((rc = tn_xml_text(&item, "Name", &name, err)))
                break;
            tn_list_entry e = {.key = (char *)name.data, .is_prefix = !take_blob};
            if (take_blob) {
                if (tn_xml_text(&item, "Content-Length", &text, NULL) == TARN_OK)
                    e.meta.size = strtoll((char *)text.data, NULL, 10);
                if (tn_xml_text(&item, "Etag", &text, NULL) == TARN_OK) {
                    snprintf(e.meta.etag, sizeof e.meta.etag, "%s", (char *)text.data);
                    tn_cloud_unquote(e.meta.etag);
                }
                if (tn_xml_text(&item, "Last-Modified", &text, NULL) == TARN_OK)
                    e.meta.last_modified = tn_cloud_time((char *)text.data);
            }
            rc = fn(ctx, &e, err);
        }
        more = !rc && tn_xml_text(&doc, "NextMarker", &marker, NULL) == TARN_OK && marker.len > 0;
        tn_http_response_reset(&r);
    }
    tn_buf_reset(&marker);
    tn_buf_reset(&name);
    tn_buf_reset(&text);
    return rc;
}

static int az_remove(tn_store *base, const char *key, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (az_store *)base, "DELETE", key);
    tn_http_response r;
    int rc = tn_cloud_run(&c, &r, err);
    if (rc == TARN_ENOTFOUND)
        return TARN_OK;
    if (!rc)
        tn_http_response_reset(&r);
    return rc;
}

static int az_copy(tn_store *base, const char *from, const char *to, const tn_put_options *o, tarn_error *err)
{
    /* Read and write back: keeps conditional semantics exact and needs no
     * polling of asynchronous server-side copies. */
    tn_buffer *b;
    TN_TRY(az_get(base, from, 0, -1, &b, err));
    int rc = az_put(base, to, b->data, b->size, o, err);
    tn_buffer_unref(b);
    return rc;
}

static int az_rename(tn_store *base, const char *from, const char *to, const tn_put_options *o, tarn_error *err)
{
    TN_TRY(az_copy(base, from, to, o, err));
    return az_remove(base, from, err);
}

static void az_destroy(tn_store *base)
{
    tn_limiter_destroy(&base->limiter);
    az_store *s = (az_store *)base;
    memset(s->key, 0, sizeof s->key);
    tn_free(s->account);
    tn_free(s->endpoint);
    tn_free(s->path_prefix);
    tn_free(s->sas);
    tn_free(base->scheme);
    tn_free(base->root);
    tn_free(s);
}

static const tn_store_ops azure_ops = {
    .name = "azure",
    .head = az_head,
    .get = az_get,
    .put = az_put,
    .writer_open = az_writer_open,
    .put_stream = az_put_stream,
    .max_single_put = (int64_t)5000 << 20, /* Put Blob's limit since version 2019-12-12 */
    .get_stream = az_get_stream,
    .list = az_list,
    .remove = az_remove,
    .copy = az_copy,
    .rename = az_rename,
    .destroy = az_destroy,
};

int tn_store_azure_create_container(tn_store *base, tarn_error *err)
{
    tn_cloud_call c;
    new_call(&c, (az_store *)base, "PUT", NULL);
    tn_cloud_add_query(&c, "restype", "container");
    tn_http_response r;
    int rc = tn_cloud_run(&c, &r, err);
    if (rc == TARN_ECONFLICT) /* ContainerAlreadyExists */
        return TARN_OK;
    if (!rc)
        tn_http_response_reset(&r);
    return rc;
}


int tn_store_azure_open(const char *root, tn_store **out, tarn_error *err)
{
    return tn_store_azure_open_with(root, NULL, out, err);
}

int tn_store_azure_open_with(const char *root, const tn_store_settings *cfg, tn_store **out, tarn_error *err)
{
    *out = NULL;
    az_store *s = tn_calloc(1, sizeof *s);
    TN_TRY_ALLOC(s, err, sizeof *s);
    s->base.ops = &azure_ops;
    s->base.scheme = tn_strdup("az");
    tn_retry_policy_default(&s->retry);
    tn_limiter_init(&s->base.limiter, 16, 1, 64);
    int rc = tn_store_transfer_settings(&s->base, cfg, 1, err);
    if (rc) {
        az_destroy(&s->base);
        return rc;
    }
    /* abfss://container@account.dfs.core.windows.net names the account */
    const char *at = strchr(root, '@');
    s->base.root = at ? tn_strndup(root, (size_t)(at - root)) : tn_strdup(root);
    const char *account = tn_setting(cfg, "account", "AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_ACCOUNT");
    if (at)
        s->account = tn_strndup(at + 1, strcspn(at + 1, "."));
    else if (account)
        s->account = tn_strdup(account);
    if (!s->base.scheme || !s->base.root || (!s->account && (at || account))) {
        rc = tn_error_oom(err, 256);
        goto fail;
    }
    if (!s->account) {
        rc = cfg ? tn_error_set(err, TARN_EINVAL, "profile '%s' sets no account (account=NAME)", cfg->name)
                 : tn_error_set(err, TARN_EINVAL,
                                "az://%s: no storage account (set AZURE_STORAGE_ACCOUNT_NAME or use "
                                "abfss://container@account...)",
                                root);
        goto fail;
    }
    const char *key = tn_setting(cfg, "account_key", "AZURE_STORAGE_ACCOUNT_KEY", "AZURE_STORAGE_KEY");
    if (key) {
        s->key_len = EVP_DecodeBlock(s->key, (const unsigned char *)key, (int)strlen(key));
        if (s->key_len <= 0 || strlen(key) > 160) {
            rc = tn_error_set(err, TARN_EINVAL, "AZURE_STORAGE_ACCOUNT_KEY is not a base64 key");
            goto fail;
        }
        /* EVP_DecodeBlock counts '=' padding as zero bytes */
        for (size_t n = strlen(key); n && key[n - 1] == '='; n--)
            s->key_len--;
    }
    const char *sas = tn_setting(cfg, "sas_token", "AZURE_STORAGE_SAS_TOKEN", NULL);
    if (sas && !(s->sas = tn_strdup(*sas == '?' ? sas + 1 : sas))) {
        rc = tn_error_oom(err, strlen(sas));
        goto fail;
    }
    const char *ep = tn_setting(cfg, "endpoint", "AZURE_STORAGE_ENDPOINT", NULL);
    s->endpoint = ep ? tn_strdup(ep) : tn_sprintf("https://%s.blob.core.windows.net", s->account);
    if (!s->endpoint) {
        rc = tn_error_oom(err, 256);
        goto fail;
    }
    size_t n = strlen(s->endpoint);
    while (n && s->endpoint[n - 1] == '/')
        s->endpoint[--n] = '\0';
    const char *h = strstr(s->endpoint, "://");
    const char *path = h ? strchr(h + 3, '/') : NULL;
    s->path_prefix = tn_strdup(path ? path : "");
    if (!h || !s->path_prefix) {
        rc = h ? tn_error_oom(err, 64) : tn_error_set(err, TARN_EINVAL, "Azure endpoint '%s' is not a URL", s->endpoint);
        goto fail;
    }
    *out = &s->base;
    return TARN_OK;
fail:
    az_destroy(&s->base);
    return rc;
}
