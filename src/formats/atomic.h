/*
 * atomic.h — write a local file so that readers see all of it or nothing:
 * the bytes go to a hidden temporary file in the same directory, which is
 * flushed, synced and renamed over the target on commit, and removed on
 * abort.
 */
#ifndef TN_FORMATS_ATOMIC_H
#define TN_FORMATS_ATOMIC_H

#include <stdio.h>

#include "core/error.h"

typedef struct tn_atomic_file {
    char *path; /* the target */
    char *tmp;  /* the temporary beside it */
    FILE *f;    /* open on tmp */
} tn_atomic_file;

int tn_atomic_open(tn_atomic_file *a, const char *path, tarn_error *err) TN_MUST_USE;
/* Flush, sync, rename over the target; the struct is released either way. */
int tn_atomic_commit(tn_atomic_file *a, tarn_error *err) TN_MUST_USE;
/* Remove the temporary; accepts a struct that was never opened (zeroed). */
void tn_atomic_abort(tn_atomic_file *a);

#endif
