/*
 * tarn/store.h — objects on local disk, in memory and in object stores,
 * addressed by URL: plain paths and file://, memory://NAME/key,
 * s3://bucket/key, az://container/key (also abfs[s]://container@account...),
 * gs://bucket/key. Credentials come from the environment as each service's
 * own tools read them (see docs/internals/store.md).
 *
 * Every write is atomic: the destination shows the whole new object or the
 * old state, never a part. Transient service errors are retried with
 * backoff; throttling lowers the number of requests in flight.
 */
#ifndef TARN_STORE_H
#define TARN_STORE_H

#include <stdio.h>

#include "tarn/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One listed object or common prefix; the strings live during the callback. */
typedef struct tarn_object {
    const char *url;       /* the whole URL */
    const char *key;       /* the key inside its bucket/container */
    int64_t size;
    int64_t last_modified; /* seconds since the epoch; 0 if unknown */
    const char *etag;
    int is_prefix;         /* a "directory" when listing one level */
} tarn_object;

/* Return non-zero to stop a listing (that value is returned). */
typedef int (*tarn_object_fn)(void *ctx, const tarn_object *obj);
/* Transfer progress; total is -1 when unknown. */
typedef void (*tarn_progress_fn)(void *ctx, int64_t done, int64_t total);

/* List under a URL. A URL ending in '/' (or a bucket root, or a local
 * directory) lists what is inside; a URL with glob characters (*, ?, [..],
 * **) lists the matching objects; otherwise the object itself, or if there
 * is none, the "directory" of that name. recursive = 0 lists one level, with
 * deeper keys rolled up into prefixes. Objects come in key order. */
TARN_API int tarn_store_list(const char *url, int recursive, tarn_object_fn fn, void *ctx, tarn_error *err);

/* Size, modification time and etag of one object (etag: 64 bytes). */
TARN_API int tarn_store_stat(const char *url, int64_t *size, int64_t *last_modified, char etag[64],
                             tarn_error *err);

#define TARN_STORE_NO_CLOBBER 1 /* fail with TARN_ECONFLICT if the destination exists */

/* Copy an object between any two stores, streaming, atomic at the
 * destination. progress may be NULL. */
TARN_API int tarn_store_copy(const char *from, const char *to, int flags, tarn_progress_fn progress, void *ctx,
                             tarn_error *err);
/* Move: a rename inside one store where the service has it, else copy and
 * delete. */
TARN_API int tarn_store_move(const char *from, const char *to, int flags, tarn_progress_fn progress, void *ctx,
                             tarn_error *err);
/* Delete one object; deleting what does not exist succeeds. */
TARN_API int tarn_store_delete(const char *url, tarn_error *err);
/* Write an object's bytes to out, streaming. */
TARN_API int tarn_store_cat(const char *url, FILE *out, tarn_error *err);

/* What the stores of this process did, per store ("s3://bucket",
 * "memory://name", "file://" for local disk): operations asked for by kind,
 * the HTTP requests they took (every attempt, part and range counted),
 * bytes read and written, retries, and throttled answers (429/503). The
 * counts run from process start or the last reset, stores still open
 * included; a query's share is the difference of two readings (EXPLAIN
 * ANALYZE). */
typedef struct tarn_store_stats {
    const char *store;
    int64_t gets, puts, heads, lists, deletes, copies;
    int64_t requests;
    int64_t bytes_read, bytes_written;
    int64_t retries, throttles;
} tarn_store_stats;
/* Return non-zero to stop (that value is returned). Stores come in name order. */
typedef int (*tarn_store_stats_fn)(void *ctx, const tarn_store_stats *stats);
TARN_API int tarn_store_stats_each(tarn_store_stats_fn fn, void *ctx);
TARN_API void tarn_store_stats_reset(void);

/* Named store profiles, kept in $TARN_CONFIG or ~/.config/tarn/stores.ini
 * (written atomically, mode 0600). A URL whose scheme is a profile's name
 * (minio://bucket/key) opens that profile's store with its settings only.
 * Keys: type (s3, az, gs); s3: endpoint, region, access_key_id,
 * secret_access_key, session_token, path_style, emulate_suffix_range;
 * az: account, account_key, sas_token, endpoint; gs: endpoint,
 * credentials (a service-account key file); every type: part_size (8MiB)
 * and concurrency (4) of parallel transfers. */
typedef int (*tarn_setting_fn)(void *ctx, const char *key, const char *value);
/* Set KEY=VALUE assignments on a profile, creating it (type= is needed
 * first); KEY= with nothing after clears a key. */
TARN_API int tarn_store_config_set(const char *name, const char *const *assignments, int n, tarn_error *err);
/* Each key and value of a profile; secrets read "********" unless
 * show_secrets. TARN_ENOTFOUND when there is no such profile. */
TARN_API int tarn_store_config_get(const char *name, int show_secrets, tarn_setting_fn fn, void *ctx,
                                   tarn_error *err);
/* Each profile's name and type. */
TARN_API int tarn_store_config_list(tarn_setting_fn fn, void *ctx, tarn_error *err);
/* Remove keys of a profile, or the whole profile when n is 0. */
TARN_API int tarn_store_config_remove(const char *name, const char *const *keys, int n, tarn_error *err);

#ifdef __cplusplus
}
#endif
#endif
