/*
 * store.h — one interface to objects on local disk, in memory, and (later)
 * in S3, Azure Blob and Google Cloud Storage, the role of Rust's object_store.
 *
 * A store is opened from a URL and addressed by keys ("dir/file.parquet").
 * Backends are a struct of function pointers, one file each (store_local.c,
 * store_memory.c, ...). Every write is atomic: a reader sees the whole new
 * object or none of it. Conditional writes (create-if-absent, replace-if-etag)
 * are the primitive that table commits are built on; losing the race is
 * TARN_ECONFLICT.
 *
 *   URL                          backend  root       key
 *   data/x.csv, /abs/x.csv       local    ""         the path as given
 *   file:///abs/x.csv            local    ""         /abs/x.csv
 *   memory://name/k/x.arrow      memory   name       k/x.arrow
 */
#ifndef TN_STORE_H
#define TN_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "arrow/buffer.h"
#include "store/limit.h"

typedef struct tn_url {
    char *scheme; /* "file", "memory", "s3", "az", "gs" */
    char *root;   /* bucket, container or memory store name; "" for local */
    char *key;    /* the object key or local path */
} tn_url;

/* Split a URL or plain path. Unknown schemes are TARN_EUNSUPPORTED. */
int tn_url_parse(const char *url, tn_url *out, tarn_error *err) TN_MUST_USE;
void tn_url_reset(tn_url *u);

typedef struct tn_object_meta {
    int64_t size;
    int64_t last_modified; /* seconds since the epoch */
    char etag[64];         /* changes whenever the object changes */
} tn_object_meta;

typedef enum tn_put_mode {
    TN_PUT_OVERWRITE = 0,
    TN_PUT_CREATE,   /* fail with TARN_ECONFLICT when the key exists */
    TN_PUT_IF_MATCH  /* replace only if the current etag equals if_match */
} tn_put_mode;

typedef struct tn_put_options {
    tn_put_mode mode;
    const char *if_match; /* TN_PUT_IF_MATCH */
} tn_put_options;

/* One listed object; `key` is only valid during the callback. A callback
 * that returns non-zero stops the listing with that status. */
typedef struct tn_list_entry {
    const char *key;
    bool is_prefix; /* a common prefix ("directory"), when listing with a delimiter */
    tn_object_meta meta;
} tn_list_entry;
typedef int (*tn_list_fn)(void *ctx, const tn_list_entry *e, tarn_error *err);

/* Requests, bytes and retries seen by a store (for EXPLAIN ANALYZE): the
 * operations asked for by kind, the HTTP requests they took (every attempt
 * and part counted), bytes moved, retries and throttled answers. */
typedef struct tn_store_metrics {
    _Atomic int64_t gets, puts, heads, lists, deletes, copies;
    _Atomic int64_t requests;
    _Atomic int64_t bytes_read, bytes_written;
    _Atomic int64_t retries, throttles;
} tn_store_metrics;

typedef struct tn_store tn_store;
typedef struct tn_store_writer tn_store_writer;

/* A body pulled by position: up to n bytes at `offset` into dst, *got of
 * them (0 only at the end). Reading by position lets a failed upload be
 * sent again from the start. */
typedef int (*tn_read_at_fn)(void *ctx, int64_t offset, void *dst, int64_t n, int64_t *got, tarn_error *err);
/* Where the bytes of a streamed read go, in order. */
typedef int (*tn_sink_fn)(void *ctx, const void *p, int64_t n, tarn_error *err);

typedef struct tn_store_ops {
    const char *name;
    int (*head)(tn_store *s, const char *key, tn_object_meta *meta, tarn_error *err);
    /* Bytes [offset, offset+length); length -1 reads to the end; offset < 0
     * reads the last -offset bytes (a suffix range). */
    int (*get)(tn_store *s, const char *key, int64_t offset, int64_t length, tn_buffer **out, tarn_error *err);
    int (*put)(tn_store *s, const char *key, const void *data, int64_t n, const tn_put_options *o,
               tarn_error *err);
    int (*writer_open)(tn_store *s, const char *key, const tn_put_options *o, tn_store_writer **out,
                       tarn_error *err);
    /* Optional: one request whose body of `size` bytes is pulled from read
     * as it is sent (no copy in memory), for sizes up to max_single_put. */
    int (*put_stream)(tn_store *s, const char *key, int64_t size, tn_read_at_fn read, void *ctx,
                      const tn_put_options *o, tarn_error *err);
    int64_t max_single_put;
    /* Optional: bytes [offset, offset+length) (length -1: to the end) handed
     * to sink as they arrive; a broken transfer resumes where it stopped. */
    int (*get_stream)(tn_store *s, const char *key, int64_t offset, int64_t length, tn_sink_fn sink, void *ctx,
                      tarn_error *err);
    /* Objects whose keys start with prefix; with delimiter '/', only one level
     * below the prefix, deeper keys rolled up into is_prefix entries. */
    int (*list)(tn_store *s, const char *prefix, bool delimited, tn_list_fn fn, void *ctx, tarn_error *err);
    /* Deleting a key that does not exist succeeds, as object stores answer. */
    int (*remove)(tn_store *s, const char *key, tarn_error *err);
    int (*copy)(tn_store *s, const char *from, const char *to, const tn_put_options *o, tarn_error *err);
    int (*rename)(tn_store *s, const char *from, const char *to, const tn_put_options *o, tarn_error *err);
    void (*destroy)(tn_store *s);
} tn_store_ops;

struct tn_store {
    const tn_store_ops *ops;
    char *scheme;
    char *root;
    tn_store_metrics metrics;
    tn_limiter limiter; /* adaptive concurrency limit of the HTTP backends */
    /* Transfers of remote stores: parts of uploads and of parallel ranged
     * reads are part_size bytes, up to `concurrency` of them in flight per
     * transfer (each also waits for a slot of the limiter). Objects of at
     * least TN_PARALLEL_PARTS parts go out in parallel. */
    int64_t part_size;
    int concurrency;
    struct tn_store *live_next; /* in the registry of open stores (tn_store_open) */
    bool registered;
};

#define TN_DEFAULT_PART_SIZE ((int64_t)8 << 20)
#define TN_DEFAULT_CONCURRENCY 4
#define TN_PARALLEL_PARTS 8

/* Read part_size and concurrency from a profile's keys (part_size,
 * concurrency) or the environment (TARN_STORE_PART_SIZE,
 * TARN_STORE_CONCURRENCY); min_part is the service's smallest part. */
typedef struct tn_store_settings tn_store_settings;
int tn_store_transfer_settings(tn_store *s, const tn_store_settings *cfg, int64_t min_part,
                               tarn_error *err) TN_MUST_USE;
/* "8388608", "8M", "8MiB", "512k": bytes (binary units); -1 if malformed. */
int64_t tn_parse_size(const char *text);
/* True when a transfer of `size` bytes goes out as parallel parts. */
bool tn_store_parallel(const tn_store *s, int64_t size);

/* A streaming upload: bytes are written in pieces and become visible only at
 * commit; abort (or a failed commit) leaves nothing behind. */
struct tn_store_writer {
    int (*write)(tn_store_writer *w, const void *p, int64_t n, tarn_error *err);
    int (*commit)(tn_store_writer *w, tarn_error *err); /* frees w, success or not */
    void (*abort)(tn_store_writer *w);                  /* frees w */
};

/* Open the store that serves a URL (the key part of the URL is ignored). */
int tn_store_open(const tn_url *url, tn_store **out, tarn_error *err) TN_MUST_USE;
void tn_store_free(tn_store *s);

/* Convenience wrappers that count metrics and prefix errors with the URL. */
int tn_store_head(tn_store *s, const char *key, tn_object_meta *meta, tarn_error *err) TN_MUST_USE;
int tn_store_get(tn_store *s, const char *key, int64_t offset, int64_t length, tn_buffer **out,
                 tarn_error *err) TN_MUST_USE;
int tn_store_put(tn_store *s, const char *key, const void *data, int64_t n, const tn_put_options *o,
                 tarn_error *err) TN_MUST_USE;
int tn_store_writer_open(tn_store *s, const char *key, const tn_put_options *o, tn_store_writer **out,
                         tarn_error *err) TN_MUST_USE;
int tn_store_list(tn_store *s, const char *prefix, bool delimited, tn_list_fn fn, void *ctx,
                  tarn_error *err) TN_MUST_USE;
int tn_store_remove(tn_store *s, const char *key, tarn_error *err) TN_MUST_USE;
int tn_store_copy(tn_store *s, const char *from, const char *to, const tn_put_options *o,
                  tarn_error *err) TN_MUST_USE;
int tn_store_rename(tn_store *s, const char *from, const char *to, const tn_put_options *o,
                    tarn_error *err) TN_MUST_USE;

/* Upload `size` bytes pulled from read: parallel parts through a streaming
 * writer when tn_store_parallel(s, size), else one streaming request where
 * the backend has one and the size allows, else the writer. */
int tn_store_put_stream(tn_store *s, const char *key, int64_t size, tn_read_at_fn read, void *ctx,
                        const tn_put_options *o, tarn_error *err) TN_MUST_USE;
/* Read bytes [offset, offset+length) (length -1: to the end; offset >= 0)
 * into sink, in order: parallel ranged GETs of part_size when the length is
 * known and tn_store_parallel(s, length), else one streaming request where
 * the backend has one, else 8 MiB ranged reads. */
int tn_store_get_stream(tn_store *s, const char *key, int64_t offset, int64_t length, tn_sink_fn sink, void *ctx,
                        tarn_error *err) TN_MUST_USE;

/* One wanted byte range of an object and, after tn_store_get_ranges, its bytes. */
typedef struct tn_range {
    int64_t offset;
    int64_t length;
    tn_buffer *out; /* set by the call (owned by the caller) */
} tn_range;

/* Fetch several ranges of one object: ranges closer than `gap` bytes
 * (0 = 1 MiB) are coalesced into one request, the requests run in parallel
 * on I/O threads (never on the compute pool), and each range's bytes come
 * back as a zero-copy slice of its request's buffer. */
int tn_store_get_ranges(tn_store *s, const char *key, tn_range *ranges, int n, int64_t gap,
                        tarn_error *err) TN_MUST_USE;

/* True when the object at key exists and holds exactly these bytes: how a
 * create-if-absent that was applied before the connection broke is told
 * apart, on retry, from a real conflict. */
bool tn_store_holds(tn_store *s, const char *key, const void *data, int64_t n);

/* Glob matching on keys: '*' and '?' stop at '/', '**' crosses it, '[a-z]'
 * and '[!x]' classes, '\' escapes. */
bool tn_glob_match(const char *pattern, const char *key);
/* True when the text contains glob characters. */
bool tn_glob_has_magic(const char *text);
/* Every key of the store matching the glob, in key order; *keys is an array
 * of n owned strings (free each and the array with tn_free). */
int tn_store_glob(tn_store *s, const char *pattern, char ***keys, int64_t *n, tarn_error *err) TN_MUST_USE;
/* The same with each key's listed size, time and etag (*metas owned, one
 * per key; metas may be NULL). On remote stores the levels below the
 * pattern's literal prefix are listed one at a time with a delimiter, up to
 * 8 prefixes at once, descending only into prefixes under which a key could
 * still match. */
int tn_store_glob_meta(tn_store *s, const char *pattern, char ***keys, tn_object_meta **metas, int64_t *n,
                       tarn_error *err) TN_MUST_USE;

/* Backends (constructors used by tn_store_open). */
int tn_store_local_open(tn_store **out, tarn_error *err);
int tn_store_memory_open(const char *name, tn_store **out, tarn_error *err);
int tn_store_s3_open(const char *bucket, tn_store **out, tarn_error *err);
/* root: "container" or "container@account.dfs.core.windows.net" */
int tn_store_azure_open(const char *root, tn_store **out, tarn_error *err);
int tn_store_gcs_open(const char *bucket, tn_store **out, tarn_error *err);
/* The same with settings from a named profile instead of the environment
 * (cfg NULL: the environment). */
int tn_store_s3_open_with(const char *bucket, const tn_store_settings *cfg, tn_store **out, tarn_error *err);
int tn_store_azure_open_with(const char *root, const tn_store_settings *cfg, tn_store **out, tarn_error *err);
int tn_store_gcs_open_with(const char *bucket, const tn_store_settings *cfg, tn_store **out, tarn_error *err);
/* Create the store's container if it does not exist. */
int tn_store_azure_create_container(tn_store *s, tarn_error *err);

#endif
