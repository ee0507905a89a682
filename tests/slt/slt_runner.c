/*
 * slt_runner.c — runs sqllogictest files against tarn through the public
 * API (include/tarn/sql.h) only, one session per file.
 *
 *     slt_runner [--verbose] [--stop-on-first] [--timeout SECONDS] FILE.slt...
 *
 * Records (docs/internals/sql-tests.md):
 *   statement ok | statement error [SUBSTRING]   SQL [---- MESSAGE lines]
 *   query TYPES [nosort|rowsort|valuesort] [LABEL]   SQL ---- RESULT lines
 *   hash-threshold N, halt, skipif ENGINE, onlyif ENGINE, # comments
 * A result is rows of tab-separated values, or one value per line, or
 * "N values hashing to MD5" (md5 of every value followed by "\n", after
 * sorting). Rows of rowsort queries are sorted on both sides, values of
 * valuesort queries too. Columns typed R compare as numbers (relative
 * tolerance 1e-9); everything else compares as text. Queries sharing a
 * LABEL must return the same values. This engine's name is "tarn":
 * `skipif tarn` skips the next record, `onlyif duckdb` too.
 *
 * --timeout interrupts a record that runs longer (tarn_session_interrupt)
 * and fails it, so that one hung query does not hide the rest of the report.
 * Each file runs in its own process: a file that hangs past the interrupt
 * or crashes is reported as such, and the next files run.
 *
 * Prints file:line, the SQL, expected and actual values for each failure,
 * then pass/fail counts; exit status 1 if anything failed.
 */
#include <ctype.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "slt_render.h"
#include "tarn/sql.h"

#define MAX_SHOWN 24 /* rows of a mismatch shown without --verbose */

typedef struct options {
    int verbose, stop_on_first;
    int timeout; /* seconds a record may run before it is interrupted; 0: no limit */
} options;

typedef struct counts {
    long passed, failed, skipped;
} counts;

typedef struct lines {
    char **v;
    int n;
} lines;

typedef struct label {
    char *name, hash[33];
    int nvalues;
} label;

typedef struct file_state {
    const char *path;
    lines text;
    int at;             /* next line to read */
    int hash_threshold; /* recorded, results are compared either way */
    label *labels;
    int nlabels;
    tarn_session *session;
} file_state;

/* A query's values, row-major. */
typedef struct table {
    int ncols;
    long nrows;
    char **cells;
} table;

static const options *opt;

/* ---- the watchdog: a record running past --timeout is interrupted ----------
 * A hung query would otherwise hide the report of every record after it.
 * When the engine does not stop within GRACE seconds of the interrupt, the
 * runner reports the record and exits. */

#define GRACE 30

/* Each file runs in a child process that reports its counts through a
 * pipe, so that a file whose query hangs or crashes is reported and the
 * next files still run. */
typedef struct file_report {
    counts c;
    int stop; /* --stop-on-first hit */
} file_report;

static const counts *running_file; /* for the report of a give-up */
static int report_fd = -1;

static void send_report(const counts *c, int stop)
{
    file_report r = {*c, stop};
    if (report_fd >= 0 && write(report_fd, &r, sizeof r) != (ssize_t)sizeof r)
        fprintf(stderr, "slt_runner: cannot report to the parent\n");
}

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    tarn_session *session; /* set while a record runs */
    const char *path;
    int line;
    long generation;       /* bumps at every record, so a late wake-up is ignored */
    int fired;             /* the running record was interrupted */
} watch = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 0, 0};

static void *watchdog(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&watch.mu);
    for (;;) {
        while (!watch.session)
            pthread_cond_wait(&watch.cv, &watch.mu);
        long gen = watch.generation;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += opt->timeout;
        int stage = 0;
        while (watch.session && watch.generation == gen) {
            if (pthread_cond_timedwait(&watch.cv, &watch.mu, &until) != 0 && watch.session &&
                watch.generation == gen) {
                if (stage == 0) {
                    tarn_session_interrupt(watch.session);
                    watch.fired = 1;
                    until.tv_sec += GRACE;
                    stage = 1;
                } else {
                    printf("FAIL %s:%d: still running %d s after being interrupted at the %d s timeout; giving up\n",
                           watch.path, watch.line, GRACE, opt->timeout);
                    counts c = *running_file;
                    c.failed++;
                    printf("%s: %ld passed, %ld failed, %ld skipped (the rest of the file not run)\n", watch.path,
                           c.passed, c.failed, c.skipped);
                    fflush(stdout);
                    send_report(&c, opt->stop_on_first);
                    _exit(1);
                }
            }
        }
    }
    return NULL;
}

static void watch_begin(tarn_session *s, const char *path, int line)
{
    if (!opt->timeout)
        return;
    pthread_mutex_lock(&watch.mu);
    watch.session = s;
    watch.path = path;
    watch.line = line;
    watch.fired = 0;
    watch.generation++;
    pthread_cond_broadcast(&watch.cv);
    pthread_mutex_unlock(&watch.mu);
}

/* Returns 1 when the record ran into the timeout. */
static int watch_end(void)
{
    if (!opt->timeout)
        return 0;
    pthread_mutex_lock(&watch.mu);
    int fired = watch.fired;
    watch.session = NULL;
    watch.generation++;
    pthread_cond_broadcast(&watch.cv);
    pthread_mutex_unlock(&watch.mu);
    return fired;
}

static void show_timeout(int fired)
{
    if (fired)
        printf("  (interrupted by the runner after --timeout %d s)\n", opt->timeout);
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) {
        fprintf(stderr, "slt: out of memory\n");
        exit(2);
    }
    return p;
}

static void *grow(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "slt: out of memory\n");
        exit(2);
    }
    return q;
}

static void table_free(table *t)
{
    for (long k = 0; k < t->nrows * t->ncols; k++)
        free(t->cells[k]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

/* ---- reading files ----------------------------------------------------- */

static int read_lines(const char *path, lines *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    slt_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        slt_buf_put(&b, chunk, n);
    fclose(f);
    out->v = NULL;
    out->n = 0;
    char *s = b.p ? b.p : xstrdup("");
    for (char *line = s; line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[len - 1] = 0;
        if (nl || *line) {
            out->v = grow(out->v, sizeof(char *) * (size_t)(out->n + 1));
            out->v[out->n++] = line;
        }
        line = nl ? nl + 1 : NULL;
    }
    if (out->n == 0) {
        out->v = grow(out->v, sizeof(char *));
        out->v[0] = s; /* keeps the block reachable for free */
    }
    return 0;
}

static void lines_free(lines *l)
{
    if (l->v)
        free(l->v[0]);
    free(l->v);
}

static int blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == 0;
}

/* Split a header line into at most max whitespace-separated words; the
 * words point into a copy kept in *keep. */
static int words(const char *line, char **w, int max, char **keep)
{
    char *s = *keep = xstrdup(line);
    int n = 0;
    while (*s && n < max) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        w[n++] = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
        if (*s)
            *s++ = 0;
    }
    return n;
}

/* Collect SQL lines until a blank line or "----"; *dashes tells which. */
static char *read_sql(file_state *fs, int *dashes)
{
    slt_buf b = {0};
    *dashes = 0;
    while (fs->at < fs->text.n && !blank(fs->text.v[fs->at])) {
        const char *l = fs->text.v[fs->at++];
        if (strcmp(l, "----") == 0) {
            *dashes = 1;
            break;
        }
        if (b.len)
            slt_buf_puts(&b, "\n");
        slt_buf_puts(&b, l);
    }
    return b.p ? b.p : xstrdup("");
}

/* Lines after "----" until a blank line (borrowed pointers). */
static lines read_block(file_state *fs)
{
    lines l = {0};
    while (fs->at < fs->text.n && !blank(fs->text.v[fs->at])) {
        l.v = grow(l.v, sizeof(char *) * (size_t)(l.n + 1));
        l.v[l.n++] = fs->text.v[fs->at++];
    }
    return l;
}

/* ---- running ----------------------------------------------------------- */

static void show_sql(const char *sql)
{
    fprintf(stdout, "  sql: ");
    for (const char *s = sql; *s; s++) {
        fputc(*s, stdout);
        if (*s == '\n')
            fprintf(stdout, "       ");
    }
    fputc('\n', stdout);
}

static void fail_header(const file_state *fs, int line, const char *what)
{
    fprintf(stdout, "FAIL %s:%d: %s\n", fs->path, line, what);
}

/* Run a query and render every value. On error, returns non-zero with err
 * set. */
static int run_query(tarn_session *s, const char *sql, table *out, tarn_error *err)
{
    struct ArrowArrayStream stream = {0};
    struct ArrowSchema schema = {0};
    memset(out, 0, sizeof *out);
    int rc = tarn_sql_query(s, sql, &stream, err);
    if (rc != TARN_OK)
        return rc;
    rc = stream.get_schema(&stream, &schema);
    if (rc != 0) {
        const char *m = stream.get_last_error ? stream.get_last_error(&stream) : NULL;
        snprintf(err->message, sizeof err->message, "result schema: %s", m ? m : "error");
        stream.release(&stream);
        return rc;
    }
    out->ncols = (int)schema.n_children;
    size_t cap = 0;
    for (;;) {
        struct ArrowArray batch = {0};
        rc = stream.get_next(&stream, &batch);
        if (rc != 0) {
            const char *m = stream.get_last_error ? stream.get_last_error(&stream) : NULL;
            err->code = rc;
            snprintf(err->message, sizeof err->message, "%s", m ? m : "error while reading the result");
            break;
        }
        if (!batch.release)
            break;
        for (int64_t r = 0; r < batch.length; r++) {
            if ((size_t)((out->nrows + 1) * out->ncols) > cap) {
                cap = cap ? cap * 2 : 256;
                while (cap < (size_t)((out->nrows + 1) * out->ncols))
                    cap *= 2;
                out->cells = grow(out->cells, cap * sizeof(char *));
            }
            for (int c = 0; c < out->ncols; c++) {
                slt_buf b = {0};
                /* a top-level struct's offset applies to its children */
                slt_render_value(&b, schema.children[c], batch.children[c], batch.offset + r, 1);
                out->cells[out->nrows * out->ncols + c] = b.p ? b.p : xstrdup("");
            }
            out->nrows++;
        }
        batch.release(&batch);
    }
    schema.release(&schema);
    stream.release(&stream);
    if (rc != 0)
        table_free(out);
    return rc;
}

static int sort_ncols;

static int cmp_rows(const void *a, const void *b)
{
    char *const *x = a, *const *y = b;
    for (int c = 0; c < sort_ncols; c++) {
        int d = strcmp(x[c], y[c]);
        if (d)
            return d;
    }
    return 0;
}

static int cmp_values(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* rows are runs of ncols pointers: sorting them as fixed-size elements */
static void sort_table(table *t, const char *mode)
{
    if (t->nrows == 0 || !t->cells)
        return;
    if (strcmp(mode, "rowsort") == 0 && t->ncols > 0) {
        sort_ncols = t->ncols;
        qsort(t->cells, (size_t)t->nrows, sizeof(char *) * (size_t)t->ncols, cmp_rows);
    } else if (strcmp(mode, "valuesort") == 0) {
        qsort(t->cells, (size_t)(t->nrows * t->ncols), sizeof(char *), cmp_values);
    }
}

static void md5_values(const table *t, char hex[33])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
    for (long k = 0; k < t->nrows * t->ncols; k++) {
        EVP_DigestUpdate(ctx, t->cells[k], strlen(t->cells[k]));
        EVP_DigestUpdate(ctx, "\n", 1);
    }
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    for (unsigned k = 0; k < 16; k++)
        sprintf(hex + 2 * k, "%02x", md[k]);
    hex[32] = 0;
}

/* "N values hashing to HEX" */
static int parse_hash_line(const lines *l, long *n, char hex[33])
{
    char h[64];
    if (l->n != 1 || sscanf(l->v[0], "%ld values hashing to %40s", n, h) != 2 || strlen(h) != 32)
        return 0;
    memcpy(hex, h, 33);
    return 1;
}

/* Expected rows: tab-separated per line, or one value per line. */
static int parse_expected(const lines *l, int ncols, table *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    out->ncols = ncols;
    int per_row = 1;
    for (int k = 0; k < l->n && per_row; k++) {
        int fields = 1;
        for (const char *s = l->v[k]; *s; s++)
            fields += *s == '\t';
        per_row = fields == ncols;
    }
    if (!per_row && ncols > 1) {
        for (int k = 0; k < l->n; k++)
            if (strchr(l->v[k], '\t')) {
                snprintf(why, whylen, "result line %d does not have %d tab-separated values", k + 1, ncols);
                return 0;
            }
        if (l->n % ncols) {
            snprintf(why, whylen, "%d result values are not a multiple of %d columns", l->n, ncols);
            return 0;
        }
    }
    long nvalues = per_row ? (long)l->n * ncols : l->n;
    out->cells = grow(NULL, sizeof(char *) * (size_t)(nvalues ? nvalues : 1));
    out->nrows = ncols ? nvalues / ncols : 0;
    long at = 0;
    for (int k = 0; k < l->n; k++) {
        if (!per_row) {
            out->cells[at++] = xstrdup(l->v[k]);
            continue;
        }
        const char *s = l->v[k];
        for (int c = 0; c < ncols; c++) {
            const char *tab = strchr(s, '\t');
            size_t n = tab ? (size_t)(tab - s) : strlen(s);
            char *v = grow(NULL, n + 1);
            memcpy(v, s, n);
            v[n] = 0;
            out->cells[at++] = v;
            s = tab ? tab + 1 : s + n;
        }
    }
    return 1;
}

static int same_value(const char *want, const char *got, char type)
{
    if (strcmp(want, got) == 0)
        return 1;
    if (type != 'R')
        return 0;
    char *e1, *e2;
    double a = strtod(want, &e1), b = strtod(got, &e2);
    if (*e1 || *e2 || e1 == want || e2 == got)
        return 0;
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    double scale = fmax(fabs(a), fabs(b));
    return fabs(a - b) <= 1e-9 * scale || fabs(a - b) < 1e-12;
}

static void print_table(const char *title, const table *t, long max_rows)
{
    fprintf(stdout, "  %s (%ld rows):\n", title, t->nrows);
    for (long r = 0; r < t->nrows && r < max_rows; r++) {
        fprintf(stdout, "    ");
        for (int c = 0; c < t->ncols; c++)
            fprintf(stdout, "%s%s", c ? "\t" : "", t->cells[r * t->ncols + c]);
        fputc('\n', stdout);
    }
    if (t->nrows > max_rows)
        fprintf(stdout, "    ... %ld more\n", t->nrows - max_rows);
}

/* The first row where the tables differ, or -1. */
static long first_difference(const table *want, const table *got, const char *types)
{
    long n = want->nrows < got->nrows ? want->nrows : got->nrows;
    for (long r = 0; r < n; r++)
        for (int c = 0; c < want->ncols; c++)
            if (!same_value(want->cells[r * want->ncols + c], got->cells[r * got->ncols + c], types[c]))
                return r;
    return want->nrows == got->nrows ? -1 : n;
}

static label *find_label(file_state *fs, const char *name)
{
    for (int k = 0; k < fs->nlabels; k++)
        if (strcmp(fs->labels[k].name, name) == 0)
            return &fs->labels[k];
    return NULL;
}

/* Compare a query's result with the record's; returns 1 when they agree. */
static int check_result(file_state *fs, int line, const char *sql, const char *types, const char *mode,
                        const char *label_name, const lines *expected, table *got)
{
    char hex[33], why[256];
    long n;
    int ok = 1;
    if (got->ncols != (int)strlen(types)) {
        snprintf(why, sizeof why, "query returned %d columns, the record declares %d (%s)", got->ncols,
                 (int)strlen(types), types);
        fail_header(fs, line, why);
        show_sql(sql);
        print_table("got", got, opt->verbose ? got->nrows : MAX_SHOWN);
        return 0;
    }
    sort_table(got, mode);
    if (parse_hash_line(expected, &n, hex)) {
        char mine[33];
        md5_values(got, mine);
        if (n != got->nrows * got->ncols || strcmp(mine, hex) != 0) {
            snprintf(why, sizeof why, "expected %ld values hashing to %s, got %ld values hashing to %s", n, hex,
                     got->nrows * got->ncols, mine);
            fail_header(fs, line, why);
            show_sql(sql);
            print_table("got", got, opt->verbose ? got->nrows : MAX_SHOWN);
            return 0;
        }
    } else {
        table want;
        if (!parse_expected(expected, got->ncols, &want, why, sizeof why)) {
            fail_header(fs, line, why);
            return 0;
        }
        sort_table(&want, mode);
        long r = first_difference(&want, got, types);
        if (r >= 0) {
            snprintf(why, sizeof why, "wrong result (first difference at row %ld of %ld expected, %ld returned)",
                     r + 1, want.nrows, got->nrows);
            fail_header(fs, line, why);
            show_sql(sql);
            long shown = opt->verbose ? (want.nrows > got->nrows ? want.nrows : got->nrows) : r + MAX_SHOWN / 2;
            print_table("expected", &want, shown);
            print_table("got", got, shown);
            ok = 0;
        }
        table_free(&want);
    }
    if (ok && label_name) {
        md5_values(got, hex);
        label *l = find_label(fs, label_name);
        if (!l) {
            fs->labels = grow(fs->labels, sizeof(label) * (size_t)(fs->nlabels + 1));
            l = &fs->labels[fs->nlabels++];
            l->name = xstrdup(label_name);
            memcpy(l->hash, hex, 33);
            l->nvalues = (int)(got->nrows * got->ncols);
        } else if (strcmp(l->hash, hex) != 0) {
            snprintf(why, sizeof why, "result differs from the earlier query labelled %s", label_name);
            fail_header(fs, line, why);
            show_sql(sql);
            ok = 0;
        }
    }
    return ok;
}

static int do_statement(file_state *fs, int line, char **w, int nw, const char *sql, const lines *message)
{
    tarn_error err;
    tarn_error_init(&err);
    int want_error = strcmp(w[1], "error") == 0;
    watch_begin(fs->session, fs->path, line);
    int rc = tarn_sql_exec(fs->session, sql, &err);
    int fired = watch_end();
    if (!want_error) {
        if (rc == TARN_OK)
            return 1;
        fail_header(fs, line, "statement failed");
        show_sql(sql);
        fprintf(stdout, "  error: %s\n", err.message);
        show_timeout(fired);
        return 0;
    }
    if (rc == TARN_OK) {
        fail_header(fs, line, "statement succeeded, an error was expected");
        show_sql(sql);
        return 0;
    }
    /* the substring: the rest of the header line, or the lines after ---- */
    slt_buf want = {0};
    if (nw > 2) {
        const char *h = strstr(fs->text.v[line - 1], "error") + 5;
        while (isspace((unsigned char)*h))
            h++;
        slt_buf_puts(&want, h);
    }
    for (int k = 0; k < message->n; k++) {
        if (want.len)
            slt_buf_puts(&want, "\n");
        slt_buf_puts(&want, message->v[k]);
    }
    int ok = !want.p || strstr(err.message, want.p) != NULL;
    if (!ok) {
        fail_header(fs, line, "wrong error message");
        show_sql(sql);
        fprintf(stdout, "  expected a message containing: %s\n  got: %s\n", want.p, err.message);
    } else if (opt->verbose) {
        fprintf(stdout, "  (error as expected: %s)\n", err.message);
    }
    free(want.p);
    return ok;
}

static int do_query(file_state *fs, int line, char **w, int nw, const char *sql, const lines *expected)
{
    const char *types = nw > 1 ? w[1] : "";
    const char *mode = nw > 2 ? w[2] : "nosort";
    const char *label_name = nw > 3 ? w[3] : NULL;
    if (strcmp(mode, "nosort") && strcmp(mode, "rowsort") && strcmp(mode, "valuesort")) {
        fail_header(fs, line, "sort mode must be nosort, rowsort or valuesort");
        return 0;
    }
    table got;
    tarn_error err;
    tarn_error_init(&err);
    watch_begin(fs->session, fs->path, line);
    int rc = run_query(fs->session, sql, &got, &err);
    int fired = watch_end();
    if (rc != TARN_OK) {
        fail_header(fs, line, "query failed");
        show_sql(sql);
        fprintf(stdout, "  error: %s\n", err.message);
        show_timeout(fired);
        return 0;
    }
    int ok = check_result(fs, line, sql, types, mode, label_name, expected, &got);
    table_free(&got);
    return ok;
}

/* Run one file; adds to *total. Returns 0 to go on, 1 to stop (--stop-on-first). */
static int run_file(const char *path, counts *total)
{
    file_state fs = {.path = path};
    counts c = {0};
    tarn_error err;
    tarn_error_init(&err);
    if (read_lines(path, &fs.text) != 0) {
        fprintf(stdout, "FAIL %s: cannot read the file\n", path);
        total->failed++;
        return opt->stop_on_first;
    }
    if (tarn_session_open(&fs.session, &err) != TARN_OK) {
        fprintf(stdout, "FAIL %s: cannot open a session: %s\n", path, err.message);
        lines_free(&fs.text);
        total->failed++;
        return opt->stop_on_first;
    }
    int skip = 0, stop = 0;
    running_file = &c;
    while (fs.at < fs.text.n && !stop) {
        const char *l = fs.text.v[fs.at];
        if (blank(l) || l[0] == '#') {
            fs.at++;
            continue;
        }
        int line = ++fs.at; /* 1-based line of the header */
        char *w[8] = {0}, *keep;
        int nw = words(l, w, 8, &keep);
        if (strcmp(w[0], "skipif") == 0 || strcmp(w[0], "onlyif") == 0) {
            int tarn = nw > 1 && strcmp(w[1], "tarn") == 0;
            if (w[0][0] == 's' ? tarn : !tarn)
                skip = 1;
        } else if (strcmp(w[0], "hash-threshold") == 0) {
            fs.hash_threshold = nw > 1 ? atoi(w[1]) : 0;
        } else if (strcmp(w[0], "halt") == 0) {
            stop = !skip;
            skip = 0;
        } else if (strcmp(w[0], "statement") == 0 || strcmp(w[0], "query") == 0) {
            int dashes, is_query = w[0][0] == 'q';
            char *sql = read_sql(&fs, &dashes);
            lines block = dashes ? read_block(&fs) : (lines){0};
            int ok = 1;
            if (skip) {
                c.skipped++;
            } else if (!is_query && (nw < 2 || (strcmp(w[1], "ok") && strcmp(w[1], "error")))) {
                fail_header(&fs, line, "statement must be followed by ok or error");
                ok = 0;
            } else if (is_query && !dashes) {
                fail_header(&fs, line, "query record without ---- and a result");
                ok = 0;
            } else {
                ok = is_query ? do_query(&fs, line, w, nw, sql, &block)
                              : do_statement(&fs, line, w, nw, sql, &block);
            }
            if (!skip) {
                if (ok)
                    c.passed++;
                else
                    c.failed++;
                if (ok && opt->verbose)
                    fprintf(stdout, "ok   %s:%d\n", path, line);
            }
            skip = 0;
            free(sql);
            free(block.v);
            if (!ok && opt->stop_on_first)
                stop = 2;
        } else {
            char why[160];
            snprintf(why, sizeof why, "unknown record '%.100s'", w[0]);
            fail_header(&fs, line, why);
            c.failed++;
            /* skip the rest of the record */
            while (fs.at < fs.text.n && !blank(fs.text.v[fs.at]))
                fs.at++;
            if (opt->stop_on_first)
                stop = 2;
        }
        free(keep);
    }
    tarn_session_close(fs.session);
    for (int k = 0; k < fs.nlabels; k++)
        free(fs.labels[k].name);
    free(fs.labels);
    lines_free(&fs.text);
    printf("%s: %ld passed, %ld failed, %ld skipped\n", path, c.passed, c.failed, c.skipped);
    total->passed += c.passed;
    total->failed += c.failed;
    total->skipped += c.skipped;
    return stop == 2;
}

/* Run one file in a child process; adds its counts to *total. Returns 1
 * to stop. */
static int run_file_isolated(const char *path, counts *total)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("slt_runner: pipe");
        exit(2);
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("slt_runner: fork");
        exit(2);
    }
    if (pid == 0) {
        close(fds[0]);
        report_fd = fds[1];
        pthread_t dog;
        if (opt->timeout && pthread_create(&dog, NULL, watchdog, NULL) != 0) {
            fprintf(stderr, "slt_runner: cannot start the watchdog thread\n");
            _exit(2);
        }
        counts c = {0};
        int stop = run_file(path, &c);
        fflush(stdout);
        send_report(&c, stop);
        exit(0); /* through exit, so that leak checkers see the session closed */
    }
    close(fds[1]);
    file_report r;
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t n = read(fds[0], (char *)&r + got, sizeof r - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != sizeof r) {
        if (WIFSIGNALED(status))
            printf("FAIL %s: the run ended by signal %d (%s) before its report\n", path, WTERMSIG(status),
                   strsignal(WTERMSIG(status)));
        else
            printf("FAIL %s: the run ended (exit status %d) before its report\n", path, WEXITSTATUS(status));
        total->failed++;
        return opt->stop_on_first;
    }
    total->passed += r.c.passed;
    total->failed += r.c.failed;
    total->skipped += r.c.skipped;
    return r.stop;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: slt_runner [--verbose] [--stop-on-first] [--timeout SECONDS] FILE.slt...\n"
               "Runs sqllogictest files against tarn; prints each failure with file:line,\n"
               "expected and actual values, then the counts. Exit 1 if any record failed.\n");
}

int main(int argc, char **argv)
{
    options o = {0};
    opt = &o;
    int nfiles = 0;
    char **files = calloc((size_t)argc, sizeof(char *));
    if (!files)
        return 2;
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--verbose") == 0 || strcmp(argv[k], "-v") == 0)
            o.verbose = 1;
        else if (strcmp(argv[k], "--stop-on-first") == 0 || strcmp(argv[k], "-x") == 0)
            o.stop_on_first = 1;
        else if (strcmp(argv[k], "--timeout") == 0 && k + 1 < argc && atoi(argv[k + 1]) > 0)
            o.timeout = atoi(argv[++k]);
        else if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[k][0] == '-' && argv[k][1]) {
            fprintf(stderr, "slt_runner: unknown flag or bad value '%s'\n", argv[k]);
            usage(stderr);
            free(files);
            return 2;
        } else {
            files[nfiles++] = argv[k];
        }
    }
    if (nfiles == 0) {
        usage(stderr);
        free(files);
        return 2;
    }
    counts total = {0};
    for (int k = 0; k < nfiles; k++)
        if (run_file_isolated(files[k], &total))
            break;
    printf("total: %ld passed, %ld failed, %ld skipped (%d files)\n", total.passed, total.failed, total.skipped,
           nfiles);
    free(files);
    fflush(stdout);
    /* the watchdog thread may still wait; leaving main ends it */
    return total.failed ? 1 : 0;
}
