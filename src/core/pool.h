/*
 * pool.h — the one pool of worker threads of the process, and the two ways
 * to give it work.
 *
 *  - tn_parallel_for splits a range of items into morsels of `grain` items.
 *    Workers and the calling thread claim morsels from an atomic counter, so
 *    the split adapts to uneven work and a nested call cannot deadlock: the
 *    caller always makes progress on its own loop.
 *  - task groups run independent tasks; tn_taskgroup_wait returns the first
 *    error, and a thread that waits runs its group's queued tasks itself, so
 *    a task may spawn and wait on sub-tasks even on a pool of one thread.
 *
 * The first error stops new work (morsels not yet claimed, tasks not yet
 * started) and is returned with its message. Cancellation works the same
 * way: per group (tn_taskgroup_cancel) and process-wide (tn_cancel_process,
 * which a Ctrl-C handler may fire).
 *
 * The size is the number of cores, the TARN_THREADS environment variable, or
 * tarn_set_threads(); a new size takes effect when the pool is next idle.
 */
#ifndef TN_CORE_POOL_H
#define TN_CORE_POOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define TN_POOL_MAX_THREADS 1024

/* ---- cancellation tokens ---------------------------------------------------- */

typedef struct tn_cancel_token {
    atomic_int fired;
} tn_cancel_token;

/* The process-wide token: every parallel loop and task group stops with
 * TARN_ECANCELLED once it fires. */
tn_cancel_token *tn_cancel_process(void);
void tn_cancel_fire(tn_cancel_token *t); /* async-signal-safe */
bool tn_cancel_fired(const tn_cancel_token *t);
void tn_cancel_reset(tn_cancel_token *t);

/* ---- parallel loops ------------------------------------------------------------ */

/* Work on items [begin, end); return a status and fill err on failure. */
typedef int (*tn_range_fn)(void *ctx, int64_t begin, int64_t end, tarn_error *err);

/* Run fn over [0, n_items) in morsels of `grain` items (0: about four
 * morsels per thread). Returns the first failure's status and message, or
 * TARN_ECANCELLED when the process token fired. With one thread, or a single
 * morsel, the loop runs inline on the caller. */
int tn_parallel_for(int64_t n_items, int64_t grain, tn_range_fn fn, void *ctx, tarn_error *err) TN_MUST_USE;

/* Inside a morsel: whether the innermost loop running on this thread has
 * failed or been cancelled, so that a long morsel can stop early. */
bool tn_parallel_for_stopping(void);

/* ---- task groups -------------------------------------------------------------- */

typedef struct tn_taskgroup tn_taskgroup;
typedef int (*tn_task_fn)(void *arg, tarn_error *err);

/* NULL when memory is refused. */
tn_taskgroup *tn_taskgroup_new(void);
/* Queue fn(arg). On allocation failure fn does not run, the group records
 * the error (so wait returns it too) and is cancelled; returns the status. */
int tn_taskgroup_spawn(tn_taskgroup *g, tn_task_fn fn, void *arg);
/* Wait for every task spawned so far, running queued ones on this thread.
 * Returns the first error (TARN_ECANCELLED if cancelled without one). */
int tn_taskgroup_wait(tn_taskgroup *g, tarn_error *err) TN_MUST_USE;
/* Tasks not started yet are skipped; running ones may poll. */
void tn_taskgroup_cancel(tn_taskgroup *g);
bool tn_taskgroup_cancelled(const tn_taskgroup *g);
/* Waits for outstanding tasks, then frees. Accepts NULL. */
void tn_taskgroup_free(tn_taskgroup *g);

/* ---- the pool ------------------------------------------------------------------ */

/* Threads from a TARN_THREADS value: 1..TN_POOL_MAX_THREADS, else EINVAL. */
int tn_pool_parse_threads(const char *text, int *out, tarn_error *err) TN_MUST_USE;
/* Stop and join the workers (tests, shutdown); the next use restarts them. */
void tn_pool_shutdown(void);
/* Worker threads running now (not counting callers). */
int tn_pool_workers(void);

#endif
