/*
 * test_pool.c — the thread pool: parallel loops agree with serial loops at
 * every size, the first error wins and stops the rest, nesting and waiting
 * do not deadlock, cancellation, TARN_THREADS, and allocation failures.
 * No assertion depends on timing.
 */
#include <sched.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/pool.h"
#include "tn_test.h"

static const int sizes[] = {1, 2, 4, 8};

static void use_threads(int n)
{
    tarn_error err;
    CHECK_OK(tarn_set_threads(n, &err), &err);
    CHECK_EQ_INT(tarn_threads(), n);
}

/* ---- sums ---------------------------------------------------------------------- */

typedef struct sum_ctx {
    atomic_llong total;
    atomic_llong morsels;
    uint8_t *seen; /* how many times each item was visited */
} sum_ctx;

static int64_t value_of(int64_t i)
{
    return (i * 2654435761LL) % 1000003;
}

static int sum_range(void *ctx, int64_t begin, int64_t end, tarn_error *err)
{
    sum_ctx *s = ctx;
    int64_t acc = 0;
    for (int64_t i = begin; i < end; i++) {
        acc += value_of(i);
        if (s->seen)
            s->seen[i]++;
    }
    atomic_fetch_add(&s->total, acc);
    atomic_fetch_add(&s->morsels, 1);
    return TARN_OK;
}

TEST(sums_match_serial)
{
    const int64_t n = 10 * 1000 * 1000;
    int64_t serial = 0;
    for (int64_t i = 0; i < n; i++)
        serial += value_of(i);
    uint8_t *seen = tn_calloc((size_t)n, 1);
    CHECK(seen != NULL);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        use_threads(sizes[k]);
        const int64_t grains[] = {1000, 0, 77777, n + 5};
        for (int gi = 0; gi < 4; gi++) {
            sum_ctx s = {.seen = seen};
            memset(seen, 0, (size_t)n);
            tarn_error err;
            CHECK_OK(tn_parallel_for(n, grains[gi], sum_range, &s, &err), &err);
            CHECK_EQ_INT(atomic_load(&s.total), serial);
            if (grains[gi] > 0)
                CHECK_EQ_INT(atomic_load(&s.morsels), (n + grains[gi] - 1) / grains[gi]);
            int64_t wrong = 0;
            for (int64_t i = 0; i < n; i++)
                wrong += seen[i] != 1;
            CHECK_EQ_INT(wrong, 0);
        }
        CHECK_EQ_INT(tn_pool_workers(), sizes[k] - 1); /* the pool was resized */
    }
    tn_free(seen);
    sum_ctx s = {0};
    tarn_error err;
    CHECK_OK(tn_parallel_for(0, 10, sum_range, &s, &err), &err); /* empty range */
    CHECK_EQ_INT(atomic_load(&s.morsels), 0);
}

/* ---- the first error ---------------------------------------------------------------- */

typedef struct fail_ctx {
    int64_t fail_at;          /* morsel starting here fails */
    atomic_llong morsels;     /* morsels started */
    atomic_llong after_stop;  /* morsels started after the loop was stopping */
} fail_ctx;

static int fail_range(void *ctx, int64_t begin, int64_t end, tarn_error *err)
{
    fail_ctx *f = ctx;
    atomic_fetch_add(&f->morsels, 1);
    if (tn_parallel_for_stopping())
        atomic_fetch_add(&f->after_stop, 1);
    if (begin == f->fail_at)
        return tn_error_set(err, TARN_EOVERFLOW, "boom at item %lld", (long long)begin);
    return TARN_OK;
}

TEST(first_error_stops_the_rest)
{
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        use_threads(sizes[k]);
        fail_ctx f = {.fail_at = 300};
        tarn_error err;
        tarn_error_init(&err);
        int rc = tn_parallel_for(1000000, 100, fail_range, &f, &err);
        CHECK_EQ_INT(rc, TARN_EOVERFLOW);
        CHECK_STR(err.message, "boom at item 300");
        /* Each other thread may have claimed one morsel just as the error
         * landed; nobody claims one after seeing it. */
        CHECK(atomic_load(&f.after_stop) <= sizes[k] - 1);
        CHECK(atomic_load(&f.morsels) < 10000);
        if (sizes[k] == 1)
            CHECK_EQ_INT(atomic_load(&f.morsels), 4); /* morsels 0..3, inline */
    }
}

/* Several failures: exactly one of them is reported, whole. */
static int fail_many(void *ctx, int64_t begin, int64_t end, tarn_error *err)
{
    if (begin % 1000 == 0)
        return tn_error_set(err, TARN_EPARSE, "bad row %lld", (long long)begin);
    return TARN_OK;
}

TEST(one_of_many_errors)
{
    use_threads(4);
    tarn_error err;
    tarn_error_init(&err);
    CHECK_EQ_INT(tn_parallel_for(100000, 10, fail_many, NULL, &err), TARN_EPARSE);
    long long row = -1;
    CHECK(sscanf(err.message, "bad row %lld", &row) == 1 && row % 1000 == 0);
    CHECK_EQ_INT(tn_parallel_for(10, 1, NULL, NULL, &err), TARN_EINVAL);
}

/* ---- nesting ---------------------------------------------------------------------------- */

typedef struct nest_task {
    int64_t n;
    int64_t result;
} nest_task;

static int inner_sum(void *ctx, int64_t begin, int64_t end, tarn_error *err)
{
    sum_ctx *s = ctx;
    return sum_range(s, begin, end, err);
}

static int loop_task(void *arg, tarn_error *err)
{
    nest_task *t = arg;
    sum_ctx s = {0};
    TN_TRY(tn_parallel_for(t->n, 1000, inner_sum, &s, err));
    t->result = atomic_load(&s.total);
    return TARN_OK;
}

/* A morsel that itself runs a parallel loop. */
static int outer_range(void *ctx, int64_t begin, int64_t end, tarn_error *err)
{
    atomic_llong *total = ctx;
    for (int64_t i = begin; i < end; i++) {
        sum_ctx s = {0};
        TN_TRY(tn_parallel_for(20000, 500, inner_sum, &s, err));
        atomic_fetch_add(total, atomic_load(&s.total));
    }
    return TARN_OK;
}

TEST(nested_loops_in_tasks)
{
    int64_t serial = 0;
    for (int64_t i = 0; i < 20000; i++)
        serial += value_of(i);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        use_threads(sizes[k]);
        nest_task tasks[8];
        tn_taskgroup *g = tn_taskgroup_new();
        CHECK(g != NULL);
        for (int i = 0; i < 8; i++) {
            tasks[i] = (nest_task){.n = 20000, .result = -1};
            CHECK_OK(tn_taskgroup_spawn(g, loop_task, &tasks[i]), &(tarn_error){0});
        }
        tarn_error err;
        CHECK_OK(tn_taskgroup_wait(g, &err), &err);
        for (int i = 0; i < 8; i++)
            CHECK_EQ_INT(tasks[i].result, serial);
        tn_taskgroup_free(g);

        atomic_llong total = 0;
        CHECK_OK(tn_parallel_for(16, 1, outer_range, &total, &err), &err);
        CHECK_EQ_INT(atomic_load(&total), 16 * serial);
    }
}

/* A task tree: each task spawns two children and waits for them. */
typedef struct tree {
    int depth;
    atomic_int *count;
} tree;

static int tree_task(void *arg, tarn_error *err)
{
    tree *t = arg;
    atomic_fetch_add(t->count, 1);
    if (t->depth == 0)
        return TARN_OK;
    tree kids[2] = {{t->depth - 1, t->count}, {t->depth - 1, t->count}};
    tn_taskgroup *g = tn_taskgroup_new();
    TN_TRY_ALLOC(g, err, 0);
    for (int i = 0; i < 2; i++)
        if (tn_taskgroup_spawn(g, tree_task, &kids[i]) != TARN_OK)
            break;
    int rc = tn_taskgroup_wait(g, err);
    tn_taskgroup_free(g);
    return rc;
}

TEST(waiting_tasks_do_not_deadlock)
{
    for (int threads = 1; threads <= 2; threads++) {
        use_threads(threads);
        atomic_int count = 0;
        tree root = {8, &count};
        tarn_error err;
        CHECK_OK(tree_task(&root, &err), &err);
        CHECK_EQ_INT(atomic_load(&count), 511); /* 2^9 - 1 nodes */
    }
}

/* ---- task errors and cancellation ----------------------------------------------------------- */

typedef struct counted {
    atomic_int ran;
    int fail_index;
    tn_taskgroup *g;
} counted;

typedef struct counted_arg {
    counted *c;
    int index;
} counted_arg;

static int counted_task(void *arg, tarn_error *err)
{
    counted_arg *a = arg;
    atomic_fetch_add(&a->c->ran, 1);
    if (a->index == a->c->fail_index)
        return tn_error_set(err, TARN_EIO, "task %d failed", a->index);
    return TARN_OK;
}

TEST(task_errors)
{
    use_threads(1); /* no workers: the waiter runs the tasks in order */
    counted c = {.fail_index = 3};
    counted_arg args[10];
    tn_taskgroup *g = tn_taskgroup_new();
    for (int i = 0; i < 10; i++) {
        args[i] = (counted_arg){&c, i};
        CHECK_OK(tn_taskgroup_spawn(g, counted_task, &args[i]), &(tarn_error){0});
    }
    tarn_error err;
    CHECK_EQ_INT(tn_taskgroup_wait(g, &err), TARN_EIO);
    CHECK_STR(err.message, "task 3 failed");
    CHECK_EQ_INT(atomic_load(&c.ran), 4); /* the rest were skipped */
    CHECK(tn_taskgroup_cancelled(g));
    tn_taskgroup_free(g);

    use_threads(4);
    counted d = {.fail_index = 6};
    g = tn_taskgroup_new();
    for (int i = 0; i < 10; i++) {
        args[i] = (counted_arg){&d, i};
        CHECK_OK(tn_taskgroup_spawn(g, counted_task, &args[i]), &(tarn_error){0});
    }
    CHECK_EQ_INT(tn_taskgroup_wait(g, &err), TARN_EIO);
    CHECK_STR(err.message, "task 6 failed");
    tn_taskgroup_free(g);
}

static int poll_until_cancelled(void *arg, tarn_error *err)
{
    counted *c = arg;
    while (!tn_taskgroup_cancelled(c->g))
        sched_yield();
    atomic_fetch_add(&c->ran, 1);
    return TARN_OK;
}

static int cancel_own_group(void *arg, tarn_error *err)
{
    counted *c = arg;
    tn_taskgroup_cancel(c->g);
    atomic_fetch_add(&c->ran, 1);
    return TARN_OK;
}

TEST(cancellation)
{
    /* Cancelled before running: nothing runs. */
    use_threads(1);
    counted c = {.fail_index = -1};
    counted_arg args[5];
    tn_taskgroup *g = tn_taskgroup_new();
    for (int i = 0; i < 5; i++) {
        args[i] = (counted_arg){&c, i};
        CHECK_OK(tn_taskgroup_spawn(g, counted_task, &args[i]), &(tarn_error){0});
    }
    tn_taskgroup_cancel(g);
    tarn_error err;
    CHECK_EQ_INT(tn_taskgroup_wait(g, &err), TARN_ECANCELLED);
    CHECK_MSG(&err, "cancelled");
    CHECK_EQ_INT(atomic_load(&c.ran), 0);
    tn_taskgroup_free(g);

    /* A task cancels its group: tasks queued behind it are skipped. */
    counted d = {.fail_index = -1};
    g = tn_taskgroup_new();
    d.g = g;
    CHECK_OK(tn_taskgroup_spawn(g, cancel_own_group, &d), &err);
    for (int i = 0; i < 5; i++) {
        args[i] = (counted_arg){&d, i};
        CHECK_OK(tn_taskgroup_spawn(g, counted_task, &args[i]), &err);
    }
    CHECK_EQ_INT(tn_taskgroup_wait(g, &err), TARN_ECANCELLED);
    CHECK_EQ_INT(atomic_load(&d.ran), 1);
    tn_taskgroup_free(g);

    /* A running task sees the flag it polls. */
    use_threads(4);
    counted e = {.fail_index = -1};
    g = tn_taskgroup_new();
    e.g = g;
    CHECK_OK(tn_taskgroup_spawn(g, poll_until_cancelled, &e), &err);
    tn_taskgroup_cancel(g);
    CHECK_EQ_INT(tn_taskgroup_wait(g, &err), TARN_ECANCELLED);
    CHECK(atomic_load(&e.ran) <= 1);
    tn_taskgroup_free(g);
}

/* Fires the process token from inside a morsel, as a Ctrl-C handler would. */
static int fire_at(void *ctx, int64_t begin, int64_t end, tarn_error *err)
{
    fail_ctx *f = ctx;
    atomic_fetch_add(&f->morsels, 1);
    if (tn_parallel_for_stopping())
        atomic_fetch_add(&f->after_stop, 1);
    if (begin == f->fail_at)
        tn_cancel_fire(tn_cancel_process());
    return TARN_OK;
}

TEST(process_cancel_token)
{
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        use_threads(sizes[k]);
        fail_ctx f = {.fail_at = 500};
        tarn_error err;
        CHECK_EQ_INT(tn_parallel_for(1000000, 100, fire_at, &f, &err), TARN_ECANCELLED);
        CHECK_MSG(&err, "cancelled");
        CHECK(atomic_load(&f.morsels) < 10000);
        if (sizes[k] == 1)
            CHECK_EQ_INT(atomic_load(&f.morsels), 6);
        /* Once fired, new work refuses to start. */
        sum_ctx s = {0};
        CHECK_EQ_INT(tn_parallel_for(100, 10, sum_range, &s, &err), TARN_ECANCELLED);
        CHECK_EQ_INT(atomic_load(&s.morsels), 0);
        tn_taskgroup *g = tn_taskgroup_new();
        CHECK(tn_taskgroup_cancelled(g));
        counted c = {.fail_index = -1};
        counted_arg a = {&c, 0};
        CHECK_OK(tn_taskgroup_spawn(g, counted_task, &a), &err);
        CHECK_EQ_INT(tn_taskgroup_wait(g, &err), TARN_ECANCELLED);
        CHECK_EQ_INT(atomic_load(&c.ran), 0);
        tn_taskgroup_free(g);
        tn_cancel_reset(tn_cancel_process());
        CHECK(!tn_cancel_fired(tn_cancel_process()));
    }
}

/* ---- configuration ------------------------------------------------------------------------------ */

/* Run this test binary with TARN_THREADS set and read what it reports. */
static int child_threads(const char *env_value, int *threads, int *workers)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        if (env_value)
            setenv("TARN_THREADS", env_value, 1);
        else
            unsetenv("TARN_THREADS");
        execl("/proc/self/exe", "test_pool", "--report-threads", (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char buf[64] = {0};
    ssize_t n = read(fd[0], buf, sizeof buf - 1);
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return sscanf(buf, "%d %d", threads, workers) == 2 ? 0 : -1;
}

static int report_threads(void)
{
    sum_ctx s = {0};
    if (tn_parallel_for(100000, 100, sum_range, &s, NULL) != TARN_OK)
        return 1;
    printf("%d %d\n", tarn_threads(), tn_pool_workers());
    tn_pool_shutdown();
    return 0;
}

TEST(threads_configuration)
{
    int t = 0, w = 0;
    CHECK_EQ_INT(child_threads("3", &t, &w), 0);
    CHECK_EQ_INT(t, 3);
    CHECK_EQ_INT(w, 2);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    CHECK_EQ_INT(child_threads(NULL, &t, &w), 0);
    CHECK_EQ_INT(t, cores);
    CHECK_EQ_INT(child_threads("lots", &t, &w), 0); /* a bad value falls back to the cores */
    CHECK_EQ_INT(t, cores);

    int n = 0;
    tarn_error err;
    CHECK_OK(tn_pool_parse_threads("16", &n, &err), &err);
    CHECK_EQ_INT(n, 16);
    CHECK_EQ_INT(tn_pool_parse_threads("0", &n, &err), TARN_EINVAL);
    CHECK_EQ_INT(tn_pool_parse_threads("4x", &n, &err), TARN_EINVAL);
    CHECK_MSG(&err, "'4x'");
    CHECK_EQ_INT(tn_pool_parse_threads("99999", &n, &err), TARN_EINVAL);
    CHECK_EQ_INT(tn_pool_parse_threads("", &n, &err), TARN_EINVAL);
    CHECK_EQ_INT(tarn_set_threads(-1, &err), TARN_EINVAL);
    CHECK_EQ_INT(tarn_set_threads(TN_POOL_MAX_THREADS + 1, &err), TARN_EINVAL);
    CHECK_MSG(&err, "out of range");
    CHECK_OK(tarn_set_threads(0, &err), &err);
    const char *env = getenv("TARN_THREADS");
    int want = cores;
    if (env && tn_pool_parse_threads(env, &n, NULL) == TARN_OK)
        want = n;
    CHECK_EQ_INT(tarn_threads(), want);
}

/* ---- allocation failures -------------------------------------------------------------------------- */

static int group_of_five(void *ctx, tarn_error *err)
{
    counted *c = ctx;
    counted_arg args[5];
    tn_taskgroup *g = tn_taskgroup_new();
    TN_TRY_ALLOC(g, err, 0);
    for (int i = 0; i < 5; i++) {
        args[i] = (counted_arg){c, i};
        if (tn_taskgroup_spawn(g, counted_task, &args[i]) != TARN_OK)
            break;
    }
    int rc = tn_taskgroup_wait(g, err);
    tn_taskgroup_free(g);
    return rc;
}

TEST(allocation_failures)
{
    for (int threads = 1; threads <= 4; threads *= 4) {
        use_threads(threads);
        counted c = {.fail_index = -1};
        CHECK_EQ_INT(tn_test_alloc_failures("task group", group_of_five, &c), 6);
    }
    /* The spawn failure itself reports ENOMEM and the group remembers it. */
    tn_taskgroup *g = tn_taskgroup_new();
    counted c = {.fail_index = -1};
    counted_arg a = {&c, 0};
    tn_alloc_fail_nth(1);
    CHECK_EQ_INT(tn_taskgroup_spawn(g, counted_task, &a), TARN_ENOMEM);
    tn_alloc_fail_nth(0);
    CHECK(tn_taskgroup_cancelled(g));
    tarn_error err;
    CHECK_EQ_INT(tn_taskgroup_wait(g, &err), TARN_ENOMEM);
    CHECK_MSG(&err, "out of memory");
    tn_taskgroup_free(g);
    tn_taskgroup_free(NULL);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--report-threads"))
        return report_threads();
    RUN(sums_match_serial);
    RUN(first_error_stops_the_rest);
    RUN(one_of_many_errors);
    RUN(nested_loops_in_tasks);
    RUN(waiting_tasks_do_not_deadlock);
    RUN(task_errors);
    RUN(cancellation);
    RUN(process_cancel_token);
    RUN(threads_configuration);
    RUN(allocation_failures);
    tarn_error err;
    if (tarn_set_threads(0, &err) != TARN_OK)
        return 1;
    tn_pool_shutdown();
    return tn_test_done();
}
