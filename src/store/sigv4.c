/*
 * sigv4.c — AWS Signature Version 4.
 *
 *   canonical request = METHOD \n URI \n QUERY \n HEADERS \n SIGNED \n PAYLOAD
 *     URI      the path, each byte outside A-Z a-z 0-9 - . _ ~ / as %XX
 *     QUERY    name=value pairs, both encoded, sorted by name then value, '&'
 *     HEADERS  "name:value\n" with lower-case names, values trimmed and runs
 *              of spaces folded, repeated names joined by ',', sorted by name
 *     SIGNED   the lower-case names joined by ';'
 *   string to sign = "AWS4-HMAC-SHA256" \n DATE \n SCOPE \n hex(sha256(creq))
 *   key = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, day), region), service), "aws4_request")
 *   signature = hex(HMAC(key, string to sign))
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "core/alloc.h"
#include "store/sigv4.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void tn_sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data, n, md);
    hex(md, sizeof md, out);
}

static void hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &len);
}

int tn_uri_encode(const char *s, bool keep_slash, tn_buf *out, tarn_error *err)
{
    static const char digits[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' || (keep_slash && *p == '/')) {
            TN_TRY(tn_buf_append_byte(out, *p, err));
        } else {
            char e[3] = {'%', digits[*p >> 4], digits[*p & 15]};
            TN_TRY(tn_buf_append(out, e, 3, err));
        }
    }
    return TARN_OK;
}

typedef struct enc_pair {
    char *name;
    char *value;
} enc_pair;

static int cmp_pairs(const void *a, const void *b)
{
    const enc_pair *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

static char *encode_dup(const char *s, bool keep_slash, bool lower, tarn_error *err)
{
    tn_buf b;
    tn_buf_init(&b, 0);
    if (tn_uri_encode(s, keep_slash, &b, err) || tn_buf_append(&b, "", 0, err)) {
        tn_buf_reset(&b);
        return NULL;
    }
    if (lower)
        for (size_t i = 0; i < b.len; i++)
            b.data[i] = (uint8_t)tolower(b.data[i]);
    return tn_buf_take(&b);
}

/* Append a header value trimmed, with inner runs of spaces folded to one. */
static int append_trimmed(tn_buf *b, const char *v, tarn_error *err)
{
    while (*v == ' ' || *v == '\t')
        v++;
    bool space = false;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            space = true;
            continue;
        }
        if (space)
            TN_TRY(tn_buf_append_byte(b, ' ', err));
        space = false;
        TN_TRY(tn_buf_append_byte(b, (uint8_t)*v, err));
    }
    return TARN_OK;
}

static int canonical_request(const tn_sigv4_request *req, tn_buf *creq, tn_buf *signed_names, tarn_error *err)
{
    int rc = TARN_OK;
    enc_pair *q = NULL, *h = NULL;
    TN_TRY(tn_buf_printf(creq, err, "%s\n", req->method));
    TN_TRY(tn_uri_encode(req->path && *req->path ? req->path : "/", true, creq, err));
    TN_TRY(tn_buf_append_byte(creq, '\n', err));
    if (req->n_query && !(q = tn_calloc((size_t)req->n_query, sizeof *q))) {
        rc = tn_error_oom(err, sizeof *q);
        goto done;
    }
    for (int i = 0; i < req->n_query; i++) {
        q[i].name = encode_dup(req->query[i].name, false, false, err);
        q[i].value = encode_dup(req->query[i].value ? req->query[i].value : "", false, false, err);
        if (!q[i].name || !q[i].value) {
            rc = tn_error_oom(err, 64);
            goto done;
        }
    }
    if (req->n_query > 1)
        qsort(q, (size_t)req->n_query, sizeof *q, cmp_pairs);
    for (int i = 0; i < req->n_query && !rc; i++)
        rc = tn_buf_printf(creq, err, "%s%s=%s", i ? "&" : "", q[i].name, q[i].value);
    if (rc || (rc = tn_buf_append_byte(creq, '\n', err)))
        goto done;
    /* headers: lower-case names; a stable sort keeps repeated names in order */
    if (req->n_headers && !(h = tn_calloc((size_t)req->n_headers, sizeof *h))) {
        rc = tn_error_oom(err, sizeof *h);
        goto done;
    }
    for (int i = 0; i < req->n_headers; i++) {
        h[i].name = tn_strdup(req->headers[i].name);
        h[i].value = (char *)req->headers[i].value;
        if (!h[i].name) {
            rc = tn_error_oom(err, 64);
            goto done;
        }
        for (char *c = h[i].name; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    }
    for (int i = 1; i < req->n_headers; i++) /* insertion sort: stable, few headers */
        for (int j = i; j > 0 && strcmp(h[j - 1].name, h[j].name) > 0; j--) {
            enc_pair t = h[j];
            h[j] = h[j - 1];
            h[j - 1] = t;
        }
    for (int i = 0; i < req->n_headers && !rc; i++) {
        bool repeat = i > 0 && strcmp(h[i - 1].name, h[i].name) == 0;
        if (repeat) {
            rc = tn_buf_append_byte(creq, ',', err);
        } else {
            if (i > 0 && (rc = tn_buf_append_byte(creq, '\n', err)))
                break;
            if ((rc = tn_buf_printf(creq, err, "%s:", h[i].name)))
                break;
            if (signed_names->len && (rc = tn_buf_append_byte(signed_names, ';', err)))
                break;
            if ((rc = tn_buf_append_str(signed_names, h[i].name, err)))
                break;
        }
        if (!rc)
            rc = append_trimmed(creq, h[i].value, err);
    }
    if (!rc)
        rc = tn_buf_printf(creq, err, "\n\n%s\n%s", signed_names->len ? (char *)signed_names->data : "",
                           req->payload_sha256);
done:
    for (int i = 0; q && i < req->n_query; i++) {
        tn_free(q[i].name);
        tn_free(q[i].value);
    }
    for (int i = 0; h && i < req->n_headers; i++)
        tn_free(h[i].name);
    tn_free(q);
    tn_free(h);
    return rc;
}

int tn_sigv4_authorization(const tn_sigv4_request *req, const tn_sigv4_key *key, const char *amz_date,
                           tn_buf *out, tarn_error *err)
{
    if (strlen(amz_date) != 16)
        return tn_error_set(err, TARN_EINVAL, "bad signing date '%s'", amz_date);
    char day[9];
    memcpy(day, amz_date, 8);
    day[8] = '\0';
    tn_buf creq, names;
    tn_buf_init(&creq, 0);
    tn_buf_init(&names, 0);
    int rc = canonical_request(req, &creq, &names, err);
    if (rc)
        goto done;
    char creq_hash[65];
    tn_sha256_hex(creq.data, creq.len, creq_hash);
    char *sts = tn_sprintf("AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", amz_date, day, key->region,
                           key->service, creq_hash);
    char *secret = tn_sprintf("AWS4%s", key->secret_key);
    if (!sts || !secret) {
        tn_free(sts);
        tn_free(secret);
        rc = tn_error_oom(err, 256);
        goto done;
    }
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    hmac(secret, strlen(secret), day, k1);
    hmac(k1, 32, key->region, k2);
    hmac(k2, 32, key->service, k3);
    hmac(k3, 32, "aws4_request", k4);
    hmac(k4, 32, sts, sig);
    OPENSSL_cleanse(secret, strlen(secret));
    tn_free(secret);
    tn_free(sts);
    char sighex[65];
    hex(sig, 32, sighex);
    rc = tn_buf_printf(out, err, "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
                       key->access_key, day, key->region, key->service, (char *)names.data, sighex);
done:
    tn_buf_reset(&creq);
    tn_buf_reset(&names);
    return rc;
}
