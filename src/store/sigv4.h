/*
 * sigv4.h — AWS Signature Version 4 (the scheme S3 and S3-compatible stores
 * use to authenticate requests), written from AWS's description and checked
 * against its published test suite (tests/data/sigv4/).
 */
#ifndef TN_STORE_SIGV4_H
#define TN_STORE_SIGV4_H

#include <stdbool.h>

#include "core/buf.h"

typedef struct tn_kv_pair {
    const char *name;
    const char *value;
} tn_kv_pair;

typedef struct tn_sigv4_request {
    const char *method;       /* "GET" */
    const char *path;         /* raw (not yet encoded) path, "/bucket/key" */
    const tn_kv_pair *query;  /* raw (not yet encoded) query parameters */
    int n_query;
    const tn_kv_pair *headers; /* every header to sign, Host included */
    int n_headers;
    const char *payload_sha256; /* hex, or "UNSIGNED-PAYLOAD" */
} tn_sigv4_request;

typedef struct tn_sigv4_key {
    const char *access_key;
    const char *secret_key;
    const char *region;
    const char *service; /* "s3" */
} tn_sigv4_key;

/* The value of the Authorization header for the request at amz_date
 * ("20150830T123600Z"). */
int tn_sigv4_authorization(const tn_sigv4_request *req, const tn_sigv4_key *key, const char *amz_date,
                           tn_buf *out, tarn_error *err) TN_MUST_USE;

/* RFC 3986 percent-encoding as SigV4 wants it: unreserved characters stay,
 * everything else becomes %XX (upper-case hex); '/' stays when keep_slash. */
int tn_uri_encode(const char *s, bool keep_slash, tn_buf *out, tarn_error *err) TN_MUST_USE;

/* Lower-case hex SHA-256 of data (65 bytes with the NUL). */
void tn_sha256_hex(const void *data, size_t n, char out[65]);

#endif
