/*
 * cloud.h — what the HTTP backends (S3, Azure Blob, GCS) share: turning a
 * failed answer into a tarn error, etags and times from headers, query
 * strings, and the part buffer of their streaming writers.
 */
#ifndef TN_STORE_CLOUD_H
#define TN_STORE_CLOUD_H

#include "store/http.h"
#include "store/parts.h"
#include "store/store.h"

/* The error for a non-2xx answer. The status picks the code (404 ENOTFOUND,
 * 401/403 EPERM, 409/412 ECONFLICT, 400/416 EINVAL, others ENETWORK); the
 * message names scheme://root/key and the service's own error code and
 * message, from an x-ms-error-code header, an XML <Code>/<Message> body or a
 * JSON {"error": {"message"}} body. Returns TARN_OK for a 2xx answer. */
int tn_cloud_check(const tn_http_response *r, const char *scheme, const char *root, const char *key,
                   tarn_error *err) TN_MUST_USE;
/* A lost create-if-absent race reads "already exists: ..." */
int tn_cloud_conflict(int rc, const tn_put_options *o, tarn_error *err);
/* Remove the double quotes around an etag, in place. */
void tn_cloud_unquote(char *etag);
/* Seconds since the epoch of an RFC 1123 or ISO-8601 time; 0 if neither. */
int64_t tn_cloud_time(const char *text);
/* Append "?name=value&..." to url, both parts percent-encoded. */
int tn_cloud_append_query(tn_buf *url, const tn_kv_pair *q, int n, tarn_error *err) TN_MUST_USE;

/* A streamed read in progress: what was asked and how much reached the
 * sink, so that a retry asks only for the rest. */
typedef struct tn_cloud_stream {
    int64_t offset, length; /* length -1: to the end */
    tn_sink_fn sink;
    void *ctx;
    int64_t done;
} tn_cloud_stream;
/* Point req at the stream's sink and write the Range value still wanted
 * into range ("" for a whole object not yet started). Called by a
 * backend's build callback before each attempt. */
void tn_cloud_stream_attach(tn_cloud_stream *g, tn_http_request *req, char *range, size_t cap);

/* One request of an HTTP backend, as the backend's build callback turns it
 * into an HTTP request before each attempt: what every backend's calls
 * share. Fill it with tn_cloud_call_init and the add_ helpers. */
#define TN_CLOUD_MAX_PARAMS 8
typedef struct tn_cloud_call {
    tn_store *store;
    const tn_retry_policy *retry;
    tn_http_build_fn build;  /* the backend's: gets this call as ctx */
    const char *method;
    const char *key;         /* object key, or NULL for bucket/container calls */
    tn_kv_pair query[TN_CLOUD_MAX_PARAMS];
    int n_query;
    tn_kv_pair extra[TN_CLOUD_MAX_PARAMS]; /* extra headers (Range, If-Match, ...) */
    int n_extra;
    const void *body;
    int64_t body_len;
    tn_read_at_fn body_read; /* or a body pulled as it is sent */
    void *body_ctx;
    tn_cloud_stream *stream; /* a streamed GET: its sink and the range still wanted */
    char range[64];
    bool range_added;
    tn_buf url;              /* a full URL built by the caller (GCS) */
    int attempts;            /* how many tries the last run took */
} tn_cloud_call;

void tn_cloud_call_init(tn_cloud_call *c, tn_store *s, const tn_retry_policy *retry, tn_http_build_fn build,
                        const char *method, const char *key);
void tn_cloud_add_extra(tn_cloud_call *c, const char *name, const char *value);
void tn_cloud_add_query(tn_cloud_call *c, const char *name, const char *value);
/* If-None-Match: * for TN_PUT_CREATE, If-Match: "ETAG" (quoted into buf)
 * for TN_PUT_IF_MATCH (S3 and Azure). */
void tn_cloud_add_conditions(tn_cloud_call *c, const tn_put_options *o, char *buf, size_t cap);
/* The first steps of a build callback: method and body (bytes or source)
 * into req, and for a streamed GET the sink and the range still wanted, as
 * an extra header named range_header ("Range", "x-ms-range"). */
void tn_cloud_request_body(tn_cloud_call *c, tn_http_request *req, const char *range_header);
/* Perform the call with retries; 2xx is TARN_OK with *resp filled,
 * anything else the error tn_cloud_check makes of it (resp reset). */
int tn_cloud_run(tn_cloud_call *c, tn_http_response *resp, tarn_error *err) TN_MUST_USE;
/* Run a HEAD and read size, time and etag from the answer's headers. */
int tn_cloud_head(tn_cloud_call *c, tn_object_meta *meta, tarn_error *err) TN_MUST_USE;
/* Run a GET whose body goes to sink (see tn_store_ops.get_stream). */
int tn_cloud_get_stream(tn_cloud_call *c, int64_t offset, int64_t length, tn_sink_fn sink, void *ctx,
                        tarn_error *err) TN_MUST_USE;
/* Run a put and settle its outcome: a create-if-absent that conflicts
 * after a retry is ours when the object holds exactly the bytes we sent
 * (our earlier attempt landed before the connection failed); a lost
 * create reads "already exists". */
int tn_cloud_put(tn_cloud_call *c, const tn_put_options *o, tarn_error *err) TN_MUST_USE;
/* A put of bytes, or of `size` bytes pulled from read, with the header
 * conditions of o (S3 and Azure), settled as tn_cloud_put does. */
int tn_cloud_put_bytes(tn_cloud_call *c, const void *data, int64_t n, const tn_put_options *o,
                       tarn_error *err) TN_MUST_USE;
int tn_cloud_put_source(tn_cloud_call *c, int64_t size, tn_read_at_fn read, void *ctx, const tn_put_options *o,
                        tarn_error *err) TN_MUST_USE;

/* The common head of the backends' streaming writers: the key, the put
 * options (with an owned copy of the etag), a nonce that names this upload
 * (its block ids, and user metadata on the committed object so that a
 * commit whose answer was lost is recognized on retry), and the parallel
 * part uploader (parts.h) that the backend's tn_part_ops drive. A
 * backend's writer struct starts with one. */
typedef struct tn_part_writer tn_part_writer;
struct tn_part_writer {
    tn_store_writer base;
    tn_store *store;
    char *key;
    tn_put_options opts; /* opts.if_match points at if_match */
    char *if_match;
    char nonce[40];
    tn_parts *parts;
    void (*cleanup)(tn_part_writer *w); /* frees the backend's own fields; may be NULL */
};

/* *out = a zeroed writer struct of `size` bytes whose head is set up for
 * key and o, uploading through ops in parts of s->part_size, `concurrency`
 * at a time; write, commit and abort are set. */
int tn_part_writer_new(size_t size, tn_store *s, const char *key, const tn_put_options *o, const tn_part_ops *ops,
                       int concurrency, void **out, tarn_error *err) TN_MUST_USE;

/* After a commit that failed on a retry with a conflict or "not found":
 * true when the object at c->key carries user metadata header == value,
 * i.e. our earlier attempt landed before its answer was lost. c is a HEAD
 * call of the backend. */
bool tn_cloud_head_has(tn_cloud_call *c, const char *header, const char *value);

#endif
