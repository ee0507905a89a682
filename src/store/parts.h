/*
 * parts.h — parallel part uploads, shared by the streaming writers of the
 * HTTP backends (S3 multipart, Azure Put Block / Put Block List, GCS
 * composed components or a resumable session).
 *
 * The caller's bytes fill part buffers of the store's part size; each full
 * part (once more bytes follow) is queued for a pool of `concurrency`
 * upload threads, and the writer waits when every buffer is in use, so
 * memory stays at concurrency x part size whatever the object's size.
 * Every part request also waits for a slot of the store's adaptive limit
 * (limit.h), which therefore governs how many really run at once. The
 * first failure stops the queue; commit then calls the backend's abort,
 * which removes what the service lets us remove.
 */
#ifndef TN_STORE_PARTS_H
#define TN_STORE_PARTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define TN_PART_ID_MAX 256

typedef struct tn_part_ops {
    /* Before the first part is queued (S3: create the upload); may be NULL. */
    int (*begin)(void *up, tarn_error *err);
    /* Upload part `index` (0-based); called from several threads at once.
     * Write the id the commit needs (S3 etag, Azure block id) into id. */
    int (*part)(void *up, int index, const uint8_t *data, int64_t len, char id[TN_PART_ID_MAX], tarn_error *err);
    /* After every queued part landed: send the held last piece (may be
     * empty) and commit the object from the ids of parts 0..n-1. */
    int (*complete)(void *up, const uint8_t *last, int64_t last_len, char (*ids)[TN_PART_ID_MAX], int n,
                    tarn_error *err);
    /* Everything fit in one part and nothing was queued: one plain put. */
    int (*single)(void *up, const uint8_t *data, int64_t len, tarn_error *err);
    /* Remove what a failed upload left (best effort); may be NULL. ids[i]
     * is "" for a part that never landed. */
    void (*abort)(void *up, char (*ids)[TN_PART_ID_MAX], int n);
} tn_part_ops;

typedef struct tn_parts tn_parts;

/* A parallel uploader for backend state `up`. */
int tn_parts_new(const tn_part_ops *ops, void *up, int64_t part_size, int concurrency, tn_parts **out,
                 tarn_error *err) TN_MUST_USE;
int tn_parts_write(tn_parts *p, const void *data, int64_t n, tarn_error *err) TN_MUST_USE;
/* Wait for the queued parts, then complete (or single); on any failure
 * abort. Frees p. */
int tn_parts_commit(tn_parts *p, tarn_error *err) TN_MUST_USE;
/* Stop, wait for the threads, abort the upload if it began; frees p. */
void tn_parts_abort(tn_parts *p);
/* Parts queued so far (for tests and metrics). */
int tn_parts_count(const tn_parts *p);

#endif
