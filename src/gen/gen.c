/*
 * gen.c — tarn_gen_tpch: write the TPC-H tables into a directory.
 *
 * The work is a list of files (one per table, or K per table with
 * files_per_table), each cut into morsels of about 25k driver rows. Since
 * the generator can start at any row, a morsel is generated and formatted
 * by whichever worker takes it; workers take morsels in order from a shared
 * counter (largest tables first) and append them to their file in order,
 * so even a single big lineitem file uses every core and the bytes are the
 * same for any thread count. Memory stays bounded: each worker holds one
 * morsel. A file is written to "<path>.tmp" and renamed into place when its
 * last morsel is in, so a reader never sees half a file.
 *
 * The "tbl" format (pipe-delimited, no header, no quoting: the data has no
 * '|', quote or newline) is written here directly because it is the form
 * TPC-H loaders expect; the other formats go through the generic writer.
 */
#include "tarn/gen.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "gen/tpch.h"

/* One output file: chunk `chunk` of `n_chunks` of a table, cut into
 * n_morsels pieces that workers generate and format in parallel and append
 * in order. */
typedef struct job {
    tn_tpch_table table;
    int64_t chunk, n_chunks;
    int64_t n_morsels;
    char *path;         /* final file path */
    char *tmp;          /* path written to, renamed to path when complete */
    int fd;             /* open from the first morsel's write to the last */
    int64_t next_write; /* the morsel whose bytes go next (under run.lock) */
} job;

/* A unit of work: one morsel of one file. Tasks are handed out in order, so
 * a file's morsels are taken in increasing order and the worker waiting for
 * its turn to write always waits on one that is being worked on. */
typedef struct task {
    int64_t job, morsel;
} task;

typedef struct run {
    double sf;
    int64_t batch_rows;
    job *jobs;
    int64_t n_jobs;
    task *tasks;
    int64_t n_tasks;
    _Atomic int64_t next;     /* next task to take */
    _Atomic int64_t rows;     /* rows written so far (progress) */
    int64_t files_done;       /* under lock */
    pthread_mutex_t lock;     /* guards rc/err, job write order, progress */
    pthread_cond_t turn;      /* a morsel was written (or the run failed) */
    int rc;
    tarn_error err;
    bool progress;
    double t0, last_print;
} run;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --- tbl text output ------------------------------------------------------- */

static char *put_u(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_int(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return put_u(p, (uint64_t)0 - (uint64_t)v);
    }
    return put_u(p, (uint64_t)v);
}

/* DECIMAL(15,2) from its unscaled value. */
static char *put_dec2(char *p, int64_t v)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (v < 0)
        *p++ = '-';
    p = put_u(p, u / 100);
    *p++ = '.';
    *p++ = (char)('0' + u / 10 % 10);
    *p++ = (char)('0' + u % 10);
    return p;
}

static char *put_date(char *p, int32_t days)
{
    /* Civil from days (Howard Hinnant's algorithm). */
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    p[0] = (char)('0' + y / 1000 % 10);
    p[1] = (char)('0' + y / 100 % 10);
    p[2] = (char)('0' + y / 10 % 10);
    p[3] = (char)('0' + y % 10);
    p[4] = '-';
    p[5] = (char)('0' + m / 10);
    p[6] = (char)('0' + m % 10);
    p[7] = '-';
    p[8] = (char)('0' + d / 10);
    p[9] = (char)('0' + d % 10);
    return p + 10;
}

/* Format a batch as tbl lines into out. */
static int batch_tbl(const tn_batch *b, tn_buf *out, tarn_error *err)
{
    int32_t nc = b->schema->n_fields;
    for (int64_t i = 0; i < b->length; i++) {
        TN_TRY(tn_buf_reserve(out, 1024, err));
        char *p = (char *)out->data + out->len;
        for (int32_t c = 0; c < nc; c++) {
            const tn_array *a = b->columns[c];
            if (c)
                *p++ = '|';
            switch (a->type->id) {
            case TN_INT32: p = put_int(p, TN_VALUES(a, int32_t)[i]); break;
            case TN_INT64: p = put_int(p, TN_VALUES(a, int64_t)[i]); break;
            case TN_DATE32: p = put_date(p, TN_VALUES(a, int32_t)[i]); break;
            case TN_DECIMAL128: p = put_dec2(p, TN_VALUES(a, int64_t)[2 * i]); break;
            default: {
                int64_t len;
                const uint8_t *s = tn_array_bytes(a, i, &len);
                memcpy(p, s, (size_t)len);
                p += len;
            }
            }
        }
        *p++ = '\n';
        out->len = (size_t)(p - (char *)out->data);
    }
    return 0;
}

static void progress(run *r, int64_t rows)
{
    atomic_fetch_add(&r->rows, rows);
    if (!r->progress)
        return;
    pthread_mutex_lock(&r->lock);
    double t = now_s();
    if (t - r->last_print >= 0.25) {
        r->last_print = t;
        fprintf(stderr, "\rtpch sf %g: %lld/%lld files, %.1fM rows, %.1fs ", r->sf,
                (long long)r->files_done, (long long)r->n_jobs,
                (double)atomic_load(&r->rows) / 1e6, t - r->t0);
    }
    pthread_mutex_unlock(&r->lock);
}

/* Write all of p (the output is large blocks; stdio would only copy them). */
static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Generate and format one morsel into out. */
static int format_morsel(run *rn, const task *t, tn_buf *out, int64_t *rows, tarn_error *err)
{
    const job *j = &rn->jobs[t->job];
    tn_reader *rd;
    TN_TRY(tn_tpch_open(j->table, rn->sf, j->chunk * j->n_morsels + t->morsel, j->n_chunks * j->n_morsels,
                        rn->batch_rows, &rd, err));
    int rc = 0;
    out->len = 0;
    *rows = 0;
    for (;;) {
        tn_batch *b;
        if ((rc = tn_reader_next(rd, &b, err)) != 0 || !b)
            break;
        rc = batch_tbl(b, out, err);
        *rows += b->length;
        tn_batch_unref(b);
        if (rc)
            break;
    }
    tn_reader_free(rd);
    return rc;
}

/* Append a formatted morsel to its file when its turn comes; the first
 * morsel creates the temporary file, the last renames it into place.
 * Called with rn->lock held; the lock is dropped while the bytes are
 * written, which is safe because only the morsel whose turn it is touches
 * the file. */
static int write_morsel(run *rn, const task *t, const tn_buf *out, tarn_error *err)
{
    job *j = &rn->jobs[t->job];
    while (j->next_write != t->morsel && rn->rc == 0)
        pthread_cond_wait(&rn->turn, &rn->lock);
    if (rn->rc)
        return rn->rc;
    pthread_mutex_unlock(&rn->lock);
    int rc = 0;
    if (t->morsel == 0) {
        j->fd = open(j->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (j->fd < 0)
            rc = tn_error_set(err, TARN_EIO, "cannot create %s: %s", j->tmp, strerror(errno));
    }
    if (!rc && write_all(j->fd, out->data, out->len) != 0)
        rc = tn_error_set(err, TARN_EIO, "writing %s: %s", j->tmp, strerror(errno));
    if (!rc && t->morsel + 1 == j->n_morsels) {
        int fd = j->fd;
        j->fd = -1;
        if (close(fd) != 0)
            rc = tn_error_set(err, TARN_EIO, "writing %s: %s", j->tmp, strerror(errno));
        else if (rename(j->tmp, j->path) != 0)
            rc = tn_error_set(err, TARN_EIO, "cannot rename %s to %s: %s", j->tmp, j->path, strerror(errno));
    }
    pthread_mutex_lock(&rn->lock);
    if (rc)
        return rc;
    j->next_write++;
    rn->files_done += j->next_write == j->n_morsels;
    pthread_cond_broadcast(&rn->turn);
    return 0;
}

static void fail(run *rn, int rc, const tarn_error *e)
{
    if (!rn->rc) {
        rn->rc = rc;
        rn->err = *e;
    }
    pthread_cond_broadcast(&rn->turn);
}

static void *worker(void *arg)
{
    run *rn = arg;
    tn_buf out;
    tn_buf_init(&out, 0);
    for (;;) {
        int64_t k = atomic_fetch_add(&rn->next, 1);
        if (k >= rn->n_tasks)
            break;
        tarn_error e;
        tarn_error_init(&e);
        int64_t rows = 0;
        int rc = format_morsel(rn, &rn->tasks[k], &out, &rows, &e);
        pthread_mutex_lock(&rn->lock);
        if (!rc)
            rc = write_morsel(rn, &rn->tasks[k], &out, &e);
        if (rc)
            fail(rn, rc, &e);
        pthread_mutex_unlock(&rn->lock);
        if (rc)
            break;
        progress(rn, rows);
    }
    tn_buf_reset(&out);
    return NULL;
}

/* mkdir -p: create dir and any missing parents. */
static int make_dir(const char *dir, tarn_error *err)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof(path))
        return tn_error_set(err, TARN_EINVAL, "output directory name is empty or too long");
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i < n; i++) {
        if (path[i] != '/')
            continue;
        path[i] = 0;
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            path[i] = '/';
            return tn_error_set(err, TARN_EIO, "cannot create directory %s: %s", dir, strerror(e));
        }
        path[i] = '/';
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return tn_error_set(err, TARN_EIO, "cannot create directory %s: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return tn_error_set(err, TARN_EIO, "%s is not a directory", dir);
    return 0;
}

static int default_threads(void)
{
    const char *e = getenv("TARN_THREADS");
    if (e && atoi(e) > 0)
        return atoi(e);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Driver rows per morsel: about 100k lineitem rows, 12 MB of text. */
#define MORSEL_ROWS 25000

/* Files to write, the largest tables first so the long jobs start early. */
static int plan(run *rn, const char *dir, int k, const char *ext, tarn_error *err)
{
    static const tn_tpch_table order[] = {TN_TPCH_LINEITEM, TN_TPCH_ORDERS,   TN_TPCH_PARTSUPP,
                                          TN_TPCH_PART,     TN_TPCH_CUSTOMER, TN_TPCH_SUPPLIER,
                                          TN_TPCH_NATION,   TN_TPCH_REGION};
    rn->jobs = tn_calloc((size_t)TN_TPCH_TABLE_COUNT * (size_t)k, sizeof(job));
    TN_TRY_ALLOC(rn->jobs, err, sizeof(job) * (size_t)k * TN_TPCH_TABLE_COUNT);
    for (int i = 0; i < TN_TPCH_TABLE_COUNT; i++) {
        tn_tpch_table t = order[i];
        const char *name = tn_tpch_table_name(t);
        int n = (t == TN_TPCH_NATION || t == TN_TPCH_REGION) ? 1 : k;
        if (k > 1) {
            char *sub = tn_sprintf("%s/%s", dir, name);
            TN_TRY_ALLOC(sub, err, strlen(dir) + strlen(name) + 2);
            int rc = make_dir(sub, err);
            tn_free(sub);
            TN_TRY(rc);
        }
        for (int c = 0; c < n; c++) {
            job *j = &rn->jobs[rn->n_jobs];
            j->table = t;
            j->chunk = c;
            j->n_chunks = n;
            j->fd = -1;
            j->path = k > 1 ? tn_sprintf("%s/%s/part-%d.%s", dir, name, c, ext)
                            : tn_sprintf("%s/%s.%s", dir, name, ext);
            rn->n_jobs++;
            TN_TRY_ALLOC(j->path, err, strlen(dir) + 64);
            j->tmp = tn_sprintf("%s.tmp", j->path);
            TN_TRY_ALLOC(j->tmp, err, strlen(j->path) + 5);
            int64_t rows = tn_tpch_driver_rows(t, rn->sf) / n;
            j->n_morsels = rows / MORSEL_ROWS > 0 ? rows / MORSEL_ROWS : 1;
            rn->n_tasks += j->n_morsels;
        }
    }
    rn->tasks = tn_calloc((size_t)rn->n_tasks, sizeof(task));
    TN_TRY_ALLOC(rn->tasks, err, sizeof(task) * (size_t)rn->n_tasks);
    int64_t x = 0;
    for (int64_t i = 0; i < rn->n_jobs; i++)
        for (int64_t m = 0; m < rn->jobs[i].n_morsels; m++)
            rn->tasks[x++] = (task){i, m};
    return 0;
}

static int check_format(const char *format, const char **ext, tarn_error *err)
{
    if (strcasecmp(format, "tbl") == 0) {
        *ext = "tbl";
        return 0;
    }
    if (strcasecmp(format, "parquet") == 0)
        return tn_error_set(err, TARN_EUNSUPPORTED, "tpch: parquet output needs the Parquet writer");
    if (strcasecmp(format, "ipc") == 0 || strcasecmp(format, "csv") == 0)
        return tn_error_set(err, TARN_EUNSUPPORTED,
                            "tpch: %s output needs the generic writer (tarn_write), not in this build; "
                            "use format tbl", format);
    return tn_error_set(err, TARN_EINVAL, "tpch: unknown format \"%s\" (tbl, ipc, csv, parquet)", format);
}

int tarn_gen_tpch(const char *dir, double sf, const tarn_gen_options *opts, tarn_error *err)
{
    tarn_gen_options o = {0};
    if (opts)
        o = *opts;
    const char *ext;
    if (!(sf > 0) || sf > 10000)
        return tn_error_set(err, TARN_EINVAL, "tpch: scale factor %g is out of range (0, 10000]", sf);
    if (o.files_per_table < 0 || o.files_per_table > 100000)
        return tn_error_set(err, TARN_EINVAL, "tpch: files per table %d is out of range", o.files_per_table);
    TN_TRY(check_format(o.format ? o.format : "ipc", &ext, err));
    TN_TRY(make_dir(dir, err));
    run rn;
    memset(&rn, 0, sizeof(rn));
    rn.sf = sf;
    rn.batch_rows = o.batch_rows;
    rn.progress = o.progress && isatty(2);
    rn.t0 = now_s();
    pthread_mutex_init(&rn.lock, NULL);
    pthread_cond_init(&rn.turn, NULL);
    int rc = plan(&rn, dir, o.files_per_table > 1 ? o.files_per_table : 1, ext, err);
    if (!rc) {
        int nt = o.threads > 0 ? o.threads : default_threads();
        if (nt > rn.n_tasks)
            nt = (int)rn.n_tasks;
        pthread_t th[64];
        if (nt > 64)
            nt = 64;
        int started = 0;
        for (int i = 1; i < nt; i++)
            if (pthread_create(&th[started], NULL, worker, &rn) == 0)
                started++;
        worker(&rn);
        for (int i = 0; i < started; i++)
            pthread_join(th[i], NULL);
        rc = rn.rc;
        if (rc && err)
            *err = rn.err;
        if (rn.progress)
            fprintf(stderr, "\rtpch sf %g: %lld files, %.1fM rows, %.1fs%20s\n", sf, (long long)rn.n_jobs,
                    (double)atomic_load(&rn.rows) / 1e6, now_s() - rn.t0, "");
    }
    for (int64_t i = 0; i < rn.n_jobs; i++) {
        job *j = &rn.jobs[i];
        if (j->fd >= 0)
            close(j->fd);
        if (rc && j->tmp)
            remove(j->tmp);
        tn_free(j->path);
        tn_free(j->tmp);
    }
    tn_free(rn.jobs);
    tn_free(rn.tasks);
    pthread_cond_destroy(&rn.turn);
    pthread_mutex_destroy(&rn.lock);
    return rc;
}
