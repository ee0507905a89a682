/*
 * gen.c — tarn_gen_tpch: write the TPC-H tables into a directory.
 *
 * The work is a list of files (one per table, or K per table with
 * files_per_table), written one after another, largest first. Each file is
 * cut into morsels of about 25k driver rows (about 100k lineitem rows);
 * since the generator can start at any row, the morsels of a window (one per
 * thread) are generated as tasks of the thread pool while the calling thread
 * writes the window before it, in order, and then helps with the morsels
 * not yet started.
 * So a single big lineitem file uses every core, the bytes are the same for
 * any thread count, memory is bounded by two windows, and workers never
 * block on I/O.
 *
 * Output: the "tbl" format (pipe-delimited, no header, no quoting: the data
 * has no '|', quote or newline) is formatted here, inside the morsels,
 * because it is the form TPC-H loaders expect and formatting text is most
 * of its cost. Every other format goes through the format registry's
 * writers (tn_format_write), fed by an ordered reader over the windows.
 * Files are written to "<path>.tmp" and renamed into place when complete
 * (the registry's writers do the same), so a reader never sees half a file.
 */
#include "tarn/gen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/pool.h"
#include "formats/registry.h"
#include "gen/tpch.h"

/* Driver rows per morsel. */
#define MORSEL_ROWS 25000

/* One output file: chunk `chunk` of `n_chunks` of a table, in n_morsels
 * morsels; morsel m is chunk (chunk * n_morsels + m) of the table cut into
 * n_chunks * n_morsels, so the morsels of all files tile the table exactly. */
typedef struct gfile {
    tn_tpch_table table;
    int64_t chunk, n_chunks, n_morsels;
    char *path;
} gfile;

typedef struct run {
    double sf;
    int64_t batch_rows;
    bool text;                       /* tbl: formatted in the morsels */
    const tarn_options *write_opts;  /* other formats: the writer's options */
    gfile *files;
    int64_t n_files;
    int64_t window;                  /* morsels generated at a time */
    /* progress, touched by the calling thread only */
    bool progress;
    int64_t rows, files_done;
    double t0, last_print;
} run;

/* A window of consecutive morsels of one file, and what they produced. */
typedef struct window {
    const run *rn;
    const gfile *f;
    int64_t first, n;    /* morsels [first, first + n) */
    tn_buf *text;        /* text mode: per morsel */
    tn_batch ***batches; /* batch mode: per morsel, its batches */
    int64_t *n_batches;
    int64_t *rows;       /* per morsel */
} window;

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

/* --- windows of morsels ------------------------------------------------------ */

static int open_morsel(const window *w, int64_t i, tn_reader **rd, tarn_error *err)
{
    const gfile *f = w->f;
    return tn_tpch_open(f->table, w->rn->sf, f->chunk * f->n_morsels + w->first + i, f->n_chunks * f->n_morsels,
                        w->rn->batch_rows, rd, err);
}

static void drop_batches(window *w, int64_t i)
{
    for (int64_t k = 0; k < w->n_batches[i]; k++)
        if (w->batches[i][k]) /* NULL once handed out */
            tn_batch_unref(w->batches[i][k]);
    tn_free(w->batches[i]);
    w->batches[i] = NULL;
    w->n_batches[i] = 0;
}

/* Produce morsel i of the window: its text, or its batches. */
static int make_morsel(window *w, int64_t i, tarn_error *err)
{
    tn_reader *rd;
    TN_TRY(open_morsel(w, i, &rd, err));
    int rc = 0;
    w->rows[i] = 0;
    if (w->text)
        w->text[i].len = 0;
    for (;;) {
        tn_batch *b;
        if ((rc = tn_reader_next(rd, &b, err)) != 0 || !b)
            break;
        w->rows[i] += b->length;
        if (w->text) {
            rc = batch_tbl(b, &w->text[i], err);
            tn_batch_unref(b);
        } else {
            tn_batch **grown = tn_realloc(w->batches[i], sizeof(*grown) * (size_t)(w->n_batches[i] + 1));
            if (!grown) {
                tn_batch_unref(b);
                rc = tn_error_oom(err, sizeof(*grown) * (size_t)(w->n_batches[i] + 1));
            } else {
                w->batches[i] = grown;
                grown[w->n_batches[i]++] = b;
            }
        }
        if (rc)
            break;
    }
    tn_reader_free(rd);
    return rc;
}

static int window_init(window *w, const run *rn, const gfile *f, tarn_error *err)
{
    memset(w, 0, sizeof(*w));
    w->rn = rn;
    w->f = f;
    size_t n = (size_t)rn->window;
    w->rows = tn_calloc(n, sizeof(int64_t));
    TN_TRY_ALLOC(w->rows, err, n * sizeof(int64_t));
    if (rn->text) {
        w->text = tn_calloc(n, sizeof(tn_buf));
        TN_TRY_ALLOC(w->text, err, n * sizeof(tn_buf));
        for (size_t i = 0; i < n; i++)
            tn_buf_init(&w->text[i], 0);
    } else {
        w->batches = tn_calloc(n, sizeof(tn_batch **));
        TN_TRY_ALLOC(w->batches, err, n * sizeof(tn_batch **));
        w->n_batches = tn_calloc(n, sizeof(int64_t));
        TN_TRY_ALLOC(w->n_batches, err, n * sizeof(int64_t));
    }
    return 0;
}

static void window_free(window *w)
{
    for (int64_t i = 0; i < w->rn->window; i++) {
        if (w->text)
            tn_buf_reset(&w->text[i]);
        if (w->batches && w->n_batches)
            drop_batches(w, i);
    }
    tn_free(w->text);
    tn_free(w->batches);
    tn_free(w->n_batches);
    tn_free(w->rows);
    memset(w, 0, sizeof(*w));
}

static void progress(run *rn, int64_t rows, bool force)
{
    rn->rows += rows;
    if (!rn->progress)
        return;
    double t = now_s();
    if (force || t - rn->last_print >= 0.25) {
        rn->last_print = t;
        fprintf(stderr, "\rtpch sf %g: %lld/%lld files, %.1fM rows, %.1fs ", rn->sf, (long long)rn->files_done,
                (long long)rn->n_files, (double)rn->rows / 1e6, t - rn->t0);
    }
}

/* --- the feeder: two windows, one consumed while the other is generated ------- */

/* One morsel of a window, as a task of the pool. */
typedef struct morsel_task {
    window *w;
    int64_t i;
} morsel_task;

typedef struct feeder {
    run *rn;
    const gfile *f;
    window w[2];
    morsel_task *tasks; /* rn->window entries, for the window being generated */
    int cur;            /* the window being consumed; -1 before the first */
    int64_t next_first; /* first morsel of the next window to generate */
    tn_taskgroup *g;    /* generates w[!cur] in the background */
    bool pending;       /* a generation was spawned and not waited for */
} feeder;

static int morsel_run(void *arg, tarn_error *err)
{
    morsel_task *t = arg;
    return make_morsel(t->w, t->i, err);
}

/* Start generating the next window into w[!cur]: one pool task per morsel,
 * so that the caller, once it has written its window and waits, takes the
 * morsels nobody has started yet. */
static int spawn_fill(feeder *fd)
{
    window *w = &fd->w[fd->cur < 0 ? 0 : !fd->cur];
    const run *rn = fd->rn;
    w->first = fd->next_first;
    w->n = w->f->n_morsels - w->first < rn->window ? w->f->n_morsels - w->first : rn->window;
    fd->next_first += w->n;
    if (w->batches)
        for (int64_t i = 0; i < rn->window; i++)
            drop_batches(w, i);
    fd->pending = true;
    for (int64_t i = 0; i < w->n; i++) {
        fd->tasks[i] = (morsel_task){w, i};
        TN_TRY(tn_taskgroup_spawn(fd->g, morsel_run, &fd->tasks[i]));
    }
    return 0;
}

static int feeder_init(feeder *fd, run *rn, const gfile *f, tarn_error *err)
{
    memset(fd, 0, sizeof(*fd));
    fd->rn = rn;
    fd->f = f;
    fd->cur = -1;
    TN_TRY(window_init(&fd->w[0], rn, f, err));
    TN_TRY(window_init(&fd->w[1], rn, f, err));
    fd->tasks = tn_calloc((size_t)rn->window, sizeof(morsel_task));
    TN_TRY_ALLOC(fd->tasks, err, sizeof(morsel_task) * (size_t)rn->window);
    fd->g = tn_taskgroup_new();
    TN_TRY_ALLOC(fd->g, err, 64);
    return 0;
}

/* The next window to consume, in order, or NULL at the end; the window
 * handed out before is done with and is refilled in the background. */
static int feeder_next(feeder *fd, window **out, tarn_error *err)
{
    *out = NULL;
    if (fd->cur < 0 && fd->next_first < fd->f->n_morsels)
        TN_TRY(spawn_fill(fd));
    if (!fd->pending)
        return 0;
    fd->pending = false;
    TN_TRY(tn_taskgroup_wait(fd->g, err));
    fd->cur = fd->cur < 0 ? 0 : !fd->cur;
    if (fd->next_first < fd->f->n_morsels)
        TN_TRY(spawn_fill(fd));
    window *w = &fd->w[fd->cur];
    int64_t rows = 0;
    for (int64_t i = 0; i < w->n; i++)
        rows += w->rows[i];
    progress(fd->rn, rows, false);
    *out = w;
    return 0;
}

static void feeder_free(feeder *fd)
{
    if (fd->g) {
        tn_taskgroup_cancel(fd->g);
        tn_taskgroup_free(fd->g); /* waits for a generation in flight */
    }
    for (int i = 0; i < 2; i++)
        if (fd->w[i].rn)
            window_free(&fd->w[i]);
    tn_free(fd->tasks);
    memset(fd, 0, sizeof(*fd));
}

/* --- tbl files ----------------------------------------------------------------- */

static int write_text_file(run *rn, const gfile *f, tarn_error *err)
{
    feeder fd;
    int rc = feeder_init(&fd, rn, f, err);
    char *tmp = rc ? NULL : tn_sprintf("%s.tmp", f->path);
    if (!rc && !tmp)
        rc = tn_error_oom(err, strlen(f->path) + 5);
    int fdesc = -1;
    if (!rc && (fdesc = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0)
        rc = tn_error_set(err, TARN_EIO, "cannot create %s: %s", tmp, strerror(errno));
    while (!rc) {
        window *w;
        if ((rc = feeder_next(&fd, &w, err)) != 0 || !w)
            break;
        for (int64_t i = 0; !rc && i < w->n; i++)
            if (write_all(fdesc, w->text[i].data, w->text[i].len) != 0)
                rc = tn_error_set(err, TARN_EIO, "writing %s: %s", tmp, strerror(errno));
    }
    /* Durable before it is visible, like the registry's writers. */
    if (!rc && fsync(fdesc) != 0)
        rc = tn_error_set(err, TARN_EIO, "%s: fsync failed: %s", tmp, strerror(errno));
    if (fdesc >= 0 && close(fdesc) != 0 && !rc)
        rc = tn_error_set(err, TARN_EIO, "writing %s: %s", tmp, strerror(errno));
    if (!rc && rename(tmp, f->path) != 0)
        rc = tn_error_set(err, TARN_EIO, "cannot rename %s to %s: %s", tmp, f->path, strerror(errno));
    if (rc && fdesc >= 0)
        remove(tmp);
    tn_free(tmp);
    feeder_free(&fd);
    return rc;
}

/* --- other formats: an ordered reader over the windows ------------------------- */

typedef struct win_reader {
    tn_reader base;
    feeder fd;
    window *w;    /* the window being handed out, or NULL */
    int64_t i, k; /* next batch: morsel i of the window, its batch k */
} win_reader;

static int win_next(tn_reader *base, tn_batch **out, tarn_error *err)
{
    win_reader *r = (win_reader *)base;
    *out = NULL;
    for (;;) {
        window *w = r->w;
        while (w && r->i < w->n && r->k >= w->n_batches[r->i]) {
            r->i++;
            r->k = 0;
        }
        if (w && r->i < w->n) {
            /* Hand the batch over: the window forgets it. */
            *out = w->batches[r->i][r->k];
            w->batches[r->i][r->k++] = NULL;
            return 0;
        }
        TN_TRY(feeder_next(&r->fd, &r->w, err));
        if (!r->w)
            return 0;
        r->i = r->k = 0;
    }
}

static void win_destroy(tn_reader *base)
{
    win_reader *r = (win_reader *)base;
    feeder_free(&r->fd);
    tn_free(r);
}

static int write_format_file(run *rn, const gfile *f, tarn_error *err)
{
    win_reader *r = tn_calloc(1, sizeof(*r));
    TN_TRY_ALLOC(r, err, sizeof(*r));
    r->base.next = win_next;
    r->base.destroy = win_destroy;
    r->base.schema = tn_tpch_schema(f->table);
    int rc = r->base.schema ? feeder_init(&r->fd, rn, f, err) : tn_error_oom(err, sizeof(tn_schema));
    if (!rc)
        rc = tn_format_write(f->path, &r->base, rn->write_opts, err);
    tn_reader_free(&r->base);
    return rc;
}

/* --- planning ----------------------------------------------------------------- */

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

static void free_files(run *rn)
{
    for (int64_t i = 0; i < rn->n_files; i++)
        tn_free(rn->files[i].path);
    tn_free(rn->files);
}

/* Files to write, the largest tables first. */
static int plan(run *rn, const char *dir, int k, const char *ext, tarn_error *err)
{
    static const tn_tpch_table order[] = {TN_TPCH_LINEITEM, TN_TPCH_ORDERS,   TN_TPCH_PARTSUPP,
                                          TN_TPCH_PART,     TN_TPCH_CUSTOMER, TN_TPCH_SUPPLIER,
                                          TN_TPCH_NATION,   TN_TPCH_REGION};
    rn->files = tn_calloc((size_t)TN_TPCH_TABLE_COUNT * (size_t)k, sizeof(gfile));
    TN_TRY_ALLOC(rn->files, err, sizeof(gfile) * (size_t)k * TN_TPCH_TABLE_COUNT);
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
            gfile *f = &rn->files[rn->n_files];
            f->table = t;
            f->chunk = c;
            f->n_chunks = n;
            f->path = k > 1 ? tn_sprintf("%s/%s/part-%d.%s", dir, name, c, ext)
                            : tn_sprintf("%s/%s.%s", dir, name, ext);
            TN_TRY_ALLOC(f->path, err, strlen(dir) + 64);
            rn->n_files++;
            int64_t rows = tn_tpch_driver_rows(t, rn->sf) / n;
            f->n_morsels = rows / MORSEL_ROWS > 0 ? rows / MORSEL_ROWS : 1;
        }
    }
    return 0;
}

/* The file extension of an output format; tbl is ours, the rest must be
 * writable formats of the registry. */
static int check_format(const char *format, const char **ext, tarn_error *err)
{
    static const struct {
        const char *name, *ext;
    } known[] = {{"tbl", "tbl"},  {"ipc", "arrow"},   {"ipc_stream", "arrows"},
                 {"csv", "csv"},  {"jsonl", "jsonl"}, {"parquet", "parquet"}};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcasecmp(format, known[i].name) != 0)
            continue;
        if (i > 0) {
            const tn_format *f = tn_format_by_name(format);
            if (!f || !f->write)
                return tn_error_set(err, TARN_EUNSUPPORTED, "tpch: %s output needs its writer, not in this build",
                                    format);
        }
        *ext = known[i].ext;
        return 0;
    }
    return tn_error_set(err, TARN_EINVAL, "tpch: unknown format \"%s\" (tbl, ipc, ipc_stream, csv, jsonl, parquet)",
                        format);
}

int tarn_gen_tpch(const char *dir, double sf, const tarn_gen_options *opts, tarn_error *err)
{
    tarn_gen_options o = {0};
    if (opts)
        o = *opts;
    const char *ext = NULL;
    if (!(sf > 0) || sf > 10000)
        return tn_error_set(err, TARN_EINVAL, "tpch: scale factor %g is out of range (0, 10000]", sf);
    if (o.files_per_table < 0 || o.files_per_table > 100000)
        return tn_error_set(err, TARN_EINVAL, "tpch: files per table %d is out of range (1..100000)",
                            o.files_per_table);
    if (o.batch_rows < 0)
        return tn_error_set(err, TARN_EINVAL, "tpch: batch rows %lld is negative", (long long)o.batch_rows);
    TN_TRY(check_format(o.format ? o.format : "ipc", &ext, err));
    TN_TRY(make_dir(dir, err));
    run rn;
    memset(&rn, 0, sizeof(rn));
    rn.sf = sf;
    rn.batch_rows = o.batch_rows;
    rn.text = strcmp(ext, "tbl") == 0;
    rn.write_opts = o.write_options;
    rn.window = tarn_threads();
    rn.progress = o.progress && isatty(2);
    rn.t0 = now_s();
    int rc = plan(&rn, dir, o.files_per_table > 1 ? o.files_per_table : 1, ext, err);
    for (int64_t i = 0; !rc && i < rn.n_files; i++) {
        rc = rn.text ? write_text_file(&rn, &rn.files[i], err) : write_format_file(&rn, &rn.files[i], err);
        rn.files_done += rc == 0;
    }
    if (rn.progress) {
        progress(&rn, 0, true);
        fputc('\n', stderr);
    }
    free_files(&rn);
    return rc;
}
