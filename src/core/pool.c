/*
 * pool.c — the process-wide pool of worker threads (see pool.h).
 *
 * One mutex guards one queue of work entries. An entry is either a parallel
 * loop or a task:
 *
 *  - A loop entry lives on its caller's stack and stays at the queue's head
 *    while it has unclaimed morsels. A worker that finds it joins as a
 *    helper and claims morsels with an atomic fetch-add on the loop's morsel
 *    counter — no lock and no allocation per morsel. When the counter runs
 *    past the end (or the loop stops on an error) the entry leaves the
 *    queue; the caller waits only for helpers still inside a morsel, which
 *    always finish, so nesting cannot deadlock.
 *  - A task entry is allocated by tn_taskgroup_spawn and freed by whichever
 *    thread runs it. A thread waiting on a group runs that group's queued
 *    tasks itself before it sleeps, so waiting never depends on a free
 *    worker.
 *
 * The pool keeps `active` = loops and tasks in flight. A new size (from
 * tarn_set_threads) is applied by the next caller that finds the pool idle:
 * it stops and joins the workers and starts the new number, so no work is
 * ever cut off. Workers + the calling thread = the configured size.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/pool.h"

typedef struct qnode {
    struct qnode *prev, *next;
    bool is_loop;
} qnode;

typedef struct loop {
    qnode node;              /* first: a queue node is a loop */
    atomic_llong next;       /* next morsel to claim */
    int64_t n, grain, morsels;
    tn_range_fn fn;
    void *ctx;
    atomic_int stop;         /* 1 once failed or cancelled; the setter writes code/err */
    int helpers;             /* workers inside the loop; under the lock */
    bool queued;             /* in the queue; under the lock */
    int code;
    tarn_error err;
} loop;

typedef struct task {
    qnode node;              /* first: a queue node is a task */
    tn_task_fn fn;
    void *arg;
    tn_taskgroup *g;
} task;

struct tn_taskgroup {
    int pending;             /* spawned, not finished; under the lock */
    int waiters;             /* threads inside tn_taskgroup_wait; under the lock */
    atomic_int cancelled;
    int code;                /* first error; under the lock */
    tarn_error err;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t work;     /* workers: an entry was queued, or stop */
    pthread_cond_t done;     /* waiters: a helper left, a task finished, a resize ended */
    qnode *head, *tail;
    pthread_t threads[TN_POOL_MAX_THREADS];
    int nworkers;            /* started */
    int alive;               /* not yet exited */
    int target;              /* the size the workers were started for; -1 = none */
    bool stopping;
    int active;              /* loops and tasks in flight */
} P = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, .target = -1};

static atomic_int configured; /* tarn_set_threads; 0 = default */
static atomic_int default_size;
static tn_cancel_token process_token;
static _Thread_local loop *current_loop;

/* ---- cancellation -------------------------------------------------------------- */

tn_cancel_token *tn_cancel_process(void)
{
    return &process_token;
}

void tn_cancel_fire(tn_cancel_token *t)
{
    atomic_store(&t->fired, 1);
}

bool tn_cancel_fired(const tn_cancel_token *t)
{
    return atomic_load_explicit(&t->fired, memory_order_relaxed) != 0;
}

void tn_cancel_reset(tn_cancel_token *t)
{
    atomic_store(&t->fired, 0);
}

/* ---- size ---------------------------------------------------------------------- */

int tn_pool_parse_threads(const char *text, int *out, tarn_error *err)
{
    char *end;
    long v = text && *text ? strtol(text, &end, 10) : 0;
    if (!text || !*text || *end != '\0' || v < 1 || v > TN_POOL_MAX_THREADS)
        return tn_error_set(err, TARN_EINVAL, "invalid thread count '%.32s' (expected 1..%d)", text ? text : "",
                            TN_POOL_MAX_THREADS);
    *out = (int)v;
    return TARN_OK;
}

static int default_threads(void)
{
    int n = atomic_load(&default_size);
    if (n > 0)
        return n;
    const char *env = getenv("TARN_THREADS");
    if (!env || tn_pool_parse_threads(env, &n, NULL) != TARN_OK) { /* a bad value falls back to the cores */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n = cores < 1 ? 1 : cores > TN_POOL_MAX_THREADS ? TN_POOL_MAX_THREADS : (int)cores;
    }
    atomic_store(&default_size, n);
    return n;
}

int tarn_set_threads(int n, tarn_error *err)
{
    if (n < 0 || n > TN_POOL_MAX_THREADS)
        return tn_error_set(err, TARN_EINVAL, "thread count %d is out of range (0..%d; 0 = number of cores)", n,
                            TN_POOL_MAX_THREADS);
    atomic_store(&configured, n);
    return TARN_OK;
}

int tarn_threads(void)
{
    int n = atomic_load(&configured);
    return n > 0 ? n : default_threads();
}

/* ---- the queue (under the lock) -------------------------------------------------- */

static void push_front(qnode *q)
{
    q->prev = NULL;
    q->next = P.head;
    if (P.head)
        P.head->prev = q;
    else
        P.tail = q;
    P.head = q;
}

static void push_back(qnode *q)
{
    q->next = NULL;
    q->prev = P.tail;
    if (P.tail)
        P.tail->next = q;
    else
        P.head = q;
    P.tail = q;
}

static void unlink_node(qnode *q)
{
    if (q->prev)
        q->prev->next = q->next;
    else
        P.head = q->next;
    if (q->next)
        q->next->prev = q->prev;
    else
        P.tail = q->prev;
    q->prev = q->next = NULL;
}

/* ---- running work ----------------------------------------------------------------- */

static void stop_loop(loop *l, int code, const tarn_error *e)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&l->stop, &expected, 1))
        return; /* someone else's error came first */
    l->code = code;
    if (e)
        memcpy(l->err.message, e->message, sizeof l->err.message);
    else
        strcpy(l->err.message, "operation cancelled");
}

/* Claim and run morsels until none are left or the loop stops. */
static void run_morsels(loop *l)
{
    loop *saved = current_loop;
    current_loop = l;
    tarn_error e;
    while (!atomic_load_explicit(&l->stop, memory_order_relaxed)) {
        if (tn_cancel_fired(&process_token)) {
            stop_loop(l, TARN_ECANCELLED, NULL);
            break;
        }
        int64_t i = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);
        if (i >= l->morsels)
            break;
        int64_t begin = i * l->grain;
        int64_t end = l->n - begin > l->grain ? begin + l->grain : l->n;
        e.code = TARN_OK;
        e.message[0] = '\0';
        int rc = l->fn(l->ctx, begin, end, &e);
        if (rc != TARN_OK) {
            stop_loop(l, rc, &e);
            break;
        }
    }
    current_loop = saved;
}

bool tn_parallel_for_stopping(void)
{
    loop *l = current_loop;
    return l && (atomic_load_explicit(&l->stop, memory_order_relaxed) || tn_cancel_fired(&process_token));
}

static bool loop_exhausted(loop *l)
{
    return atomic_load(&l->stop) || atomic_load(&l->next) >= l->morsels;
}

static void group_fail(tn_taskgroup *g, int code, const char *message)
{
    if (g->code == TARN_OK) {
        g->code = code;
        snprintf(g->err.message, sizeof g->err.message, "%s", message);
    }
    atomic_store(&g->cancelled, 1);
}

/* Run a dequeued task (without the lock), then account for it (with it). */
static void run_task(task *t)
{
    loop *saved = current_loop;
    current_loop = NULL; /* a task is not part of the loop this thread may be in */
    tarn_error e;
    e.message[0] = '\0';
    int rc = TARN_OK;
    tn_taskgroup *g = t->g;
    if (!tn_taskgroup_cancelled(g))
        rc = t->fn(t->arg, &e);
    current_loop = saved;
    tn_free(t); /* before the waiter can see the task finished */
    pthread_mutex_lock(&P.lock);
    if (rc != TARN_OK)
        group_fail(g, rc, e.message);
    g->pending--;
    P.active--;
    pthread_cond_broadcast(&P.done);
    pthread_mutex_unlock(&P.lock);
}

static void *worker_main(void *unused)
{
    pthread_mutex_lock(&P.lock);
    for (;;) {
        while (!P.stopping && !P.head)
            pthread_cond_wait(&P.work, &P.lock);
        if (P.stopping)
            break;
        qnode *q = P.head;
        if (q->is_loop) {
            loop *l = (loop *)q;
            if (!loop_exhausted(l)) {
                l->helpers++;
                pthread_mutex_unlock(&P.lock);
                run_morsels(l);
                pthread_mutex_lock(&P.lock);
                l->helpers--;
            }
            if (l->queued) { /* it is out of morsels now */
                unlink_node(q);
                l->queued = false;
            }
            if (l->helpers == 0)
                pthread_cond_broadcast(&P.done);
        } else {
            unlink_node(q);
            pthread_mutex_unlock(&P.lock);
            run_task((task *)q);
            pthread_mutex_lock(&P.lock);
        }
    }
    P.alive--;
    pthread_cond_broadcast(&P.done);
    pthread_mutex_unlock(&P.lock);
    return unused;
}

/* ---- sizing (under the lock) -------------------------------------------------------- */

static void stop_workers(void)
{
    if (P.nworkers == 0)
        return;
    P.stopping = true;
    pthread_cond_broadcast(&P.work);
    while (P.alive > 0)
        pthread_cond_wait(&P.done, &P.lock);
    /* They have left the lock for good; joining now cannot block on us. */
    for (int i = 0; i < P.nworkers; i++)
        pthread_join(P.threads[i], NULL);
    P.nworkers = 0;
    P.stopping = false;
    pthread_cond_broadcast(&P.done);
}

/* Register one piece of work in flight, first resizing an idle pool if the
 * configured size changed. Returns the threads that may work on it. */
static int enter_locked(void)
{
    while (P.stopping) /* another caller is resizing */
        pthread_cond_wait(&P.done, &P.lock);
    int want = tarn_threads();
    if (want != P.target && P.active == 0) {
        stop_workers();
        for (int i = 0; i < want - 1; i++) {
            if (pthread_create(&P.threads[P.nworkers], NULL, worker_main, NULL) != 0)
                break; /* fewer workers is slower, not wrong */
            P.nworkers++;
            P.alive++;
        }
        P.target = want;
    }
    P.active++;
    return P.nworkers + 1;
}

void tn_pool_shutdown(void)
{
    pthread_mutex_lock(&P.lock);
    while (P.stopping)
        pthread_cond_wait(&P.done, &P.lock);
    if (P.active == 0) {
        stop_workers();
        P.target = -1;
    }
    pthread_mutex_unlock(&P.lock);
}

int tn_pool_workers(void)
{
    pthread_mutex_lock(&P.lock);
    int n = P.nworkers;
    pthread_mutex_unlock(&P.lock);
    return n;
}

/* ---- parallel loops ------------------------------------------------------------------ */

int tn_parallel_for(int64_t n_items, int64_t grain, tn_range_fn fn, void *ctx, tarn_error *err)
{
    if (n_items <= 0)
        return TARN_OK;
    if (!fn)
        return tn_error_set(err, TARN_EINVAL, "parallel loop without a function");
    if (tn_cancel_fired(&process_token))
        return tn_error_set(err, TARN_ECANCELLED, "operation cancelled");
    pthread_mutex_lock(&P.lock);
    int threads = enter_locked();
    pthread_mutex_unlock(&P.lock);
    if (grain <= 0) {
        grain = n_items / ((int64_t)threads * 4);
        if (grain < 1)
            grain = 1;
    }
    loop l = {.node.is_loop = true, .n = n_items, .grain = grain, .fn = fn, .ctx = ctx};
    l.morsels = (n_items - 1) / grain + 1;
    atomic_init(&l.next, 0);
    atomic_init(&l.stop, 0);
    bool shared = threads > 1 && l.morsels > 1;
    if (shared) {
        /* At the front: the innermost loop is the one the others wait for. */
        pthread_mutex_lock(&P.lock);
        push_front(&l.node);
        l.queued = true;
        pthread_cond_broadcast(&P.work);
        pthread_mutex_unlock(&P.lock);
    }
    run_morsels(&l);
    pthread_mutex_lock(&P.lock);
    if (shared) {
        if (l.queued) {
            unlink_node(&l.node);
            l.queued = false;
        }
        while (l.helpers > 0) /* they are inside a morsel; no new one is claimed */
            pthread_cond_wait(&P.done, &P.lock);
    }
    P.active--;
    pthread_mutex_unlock(&P.lock);
    if (atomic_load(&l.stop)) {
        if (err) {
            err->code = l.code;
            memcpy(err->message, l.err.message, sizeof err->message);
        }
        return l.code;
    }
    return TARN_OK;
}

/* ---- task groups ------------------------------------------------------------------------ */

tn_taskgroup *tn_taskgroup_new(void)
{
    tn_taskgroup *g = tn_malloc(sizeof *g);
    if (g) {
        g->pending = 0;
        g->waiters = 0;
        atomic_init(&g->cancelled, 0);
        g->code = TARN_OK;
        g->err.code = TARN_OK;
        g->err.message[0] = '\0';
    }
    return g;
}

int tn_taskgroup_spawn(tn_taskgroup *g, tn_task_fn fn, void *arg)
{
    task *t = tn_malloc(sizeof *t);
    if (!t) {
        tarn_error e;
        int code = tn_error_oom(&e, sizeof *t);
        pthread_mutex_lock(&P.lock);
        group_fail(g, code, e.message);
        pthread_mutex_unlock(&P.lock);
        return code;
    }
    t->node.is_loop = false;
    t->fn = fn;
    t->arg = arg;
    t->g = g;
    pthread_mutex_lock(&P.lock);
    enter_locked();
    push_back(&t->node);
    g->pending++;
    pthread_cond_signal(&P.work);
    if (g->waiters) /* a waiter may run it */
        pthread_cond_broadcast(&P.done);
    pthread_mutex_unlock(&P.lock);
    return TARN_OK;
}

/* The first queued task of g, or NULL (under the lock). */
static task *queued_task_of(tn_taskgroup *g)
{
    for (qnode *q = P.head; q; q = q->next)
        if (!q->is_loop && ((task *)q)->g == g)
            return (task *)q;
    return NULL;
}

int tn_taskgroup_wait(tn_taskgroup *g, tarn_error *err)
{
    pthread_mutex_lock(&P.lock);
    g->waiters++;
    while (g->pending > 0) {
        task *t = queued_task_of(g);
        if (t) {
            unlink_node(&t->node);
            pthread_mutex_unlock(&P.lock);
            run_task(t);
            pthread_mutex_lock(&P.lock);
        } else {
            pthread_cond_wait(&P.done, &P.lock);
        }
    }
    g->waiters--;
    int code = g->code;
    if (code != TARN_OK && err) {
        err->code = code;
        memcpy(err->message, g->err.message, sizeof err->message);
    }
    pthread_mutex_unlock(&P.lock);
    if (code == TARN_OK && tn_taskgroup_cancelled(g))
        return tn_error_set(err, TARN_ECANCELLED, "operation cancelled");
    return code;
}

void tn_taskgroup_cancel(tn_taskgroup *g)
{
    atomic_store(&g->cancelled, 1);
}

bool tn_taskgroup_cancelled(const tn_taskgroup *g)
{
    return atomic_load_explicit(&g->cancelled, memory_order_relaxed) || tn_cancel_fired(&process_token);
}

void tn_taskgroup_free(tn_taskgroup *g)
{
    if (!g)
        return;
    if (tn_taskgroup_wait(g, NULL) != TARN_OK) {
        /* the error was the caller's to collect with tn_taskgroup_wait */
    }
    tn_free(g);
}
