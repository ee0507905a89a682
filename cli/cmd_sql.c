/*
 * cmd_sql.c — `tarn sql`: run SQL over files, object-store URLs and tables
 * of the session (include/tarn/sql.h) and print or write the result.
 *
 *   tarn sql "SELECT ..."            one query (or a script) from the argument
 *   tarn sql -f script.sql           a script file ('-' for stdin)
 *   tarn sql < script.sql            a script on stdin when it is not a terminal
 *   tarn sql                         an interactive shell on a terminal
 *
 * The result of the last statement is printed (table, csv, jsonl) or
 * written with --output (csv, jsonl, parquet, ipc: atomically, through
 * tarn_write; a table through a temporary file renamed at the end). Ctrl-C
 * interrupts the running query, not the process.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sql_cli.h"

static const char *const positionals[] = {"QUERY", NULL};

static const cli_flag flags[] = {
    {"file", 'f', "FILE", "run the statements of a script file ('-' for stdin)"},
    {"format", 0, "FORMAT", "table (default), csv, jsonl; with --output also parquet, ipc"},
    {"output", 'o', "FILE", "write the result to FILE (its extension gives the format)"},
    {"max-rows", 0, "N", "table: rows shown before the middle is left out (default 40; 0 = all)"},
    {"max-width", 0, "N", "table: total width (default: the terminal's; 0 = no limit)"},
    {"max-col-width", 0, "N", "table: width of one column (default 32)"},
    {0},
};

/* ---- the progress bar ------------------------------------------------------
 *
 * On stderr, when it is a terminal and the query has run for more than two
 * seconds (TARN_PROGRESS_AFTER=SECONDS changes that; 0: always), redrawn by the
 * session's progress reports and erased when the query stops. Never when
 * stderr is not a terminal, nor while rows are printed to the same
 * terminal (csv or jsonl on stdout). */

typedef struct sql_bar {
    double after; /* seconds before it shows */
    bool drawn;
} sql_bar;

static sql_bar bar;

static void human_rows(char *out, size_t cap, int64_t n)
{
    if (n >= 1000000000)
        snprintf(out, cap, "%.1fG", (double)n / 1e9);
    else if (n >= 1000000)
        snprintf(out, cap, "%.1fM", (double)n / 1e6);
    else if (n >= 10000)
        snprintf(out, cap, "%.0fk", (double)n / 1e3);
    else
        snprintf(out, cap, "%lld", (long long)n);
}

static void draw(sql_bar *b, const tarn_query_progress *p);

static void on_progress(void *user, const tarn_query_progress *p)
{
    sql_bar *b = user;
    if (p->done) {
        /* With no delay the bar always shows, so a query that ends before
         * the first report still draws its final count once. */
        if (!b->drawn && b->after <= 0)
            draw(b, p);
        if (b->drawn)
            fputs("\r\033[K", stderr);
        b->drawn = false;
        return;
    }
    if (p->elapsed < b->after)
        return;
    draw(b, p);
}

static void draw(sql_bar *b, const tarn_query_progress *p)
{
    char done[32], total[32];
    human_rows(done, sizeof done, p->rows_scanned);
    if (p->rows_total > 0) {
        int pct = (int)(100.0 * (double)p->rows_scanned / (double)p->rows_total);
        pct = pct > 99 ? 99 : pct < 0 ? 0 : pct;
        char cells[21];
        for (int i = 0; i < 20; i++)
            cells[i] = i < pct / 5 ? '#' : '.';
        cells[20] = 0;
        human_rows(total, sizeof total, p->rows_total);
        fprintf(stderr, "\r\033[K[%s] %2d%%  %s of %s rows scanned  %.1f s", cells, pct, done, total, p->elapsed);
    } else {
        fprintf(stderr, "\r\033[K%s rows scanned  %.1f s", done, p->elapsed);
    }
    fflush(stderr);
    b->drawn = true;
}

/* Show the bar for the next query of s when stderr is a terminal and the
 * rows do not go to it too (rows_to_terminal). */
static void bar_begin(tarn_session *s, bool rows_to_terminal)
{
    if (!isatty(2) || rows_to_terminal)
        return;
    const char *after = getenv("TARN_PROGRESS_AFTER");
    bar.after = after && *after ? atof(after) : 2.0;
    bar.drawn = false;
    tarn_session_set_progress(s, on_progress, &bar);
}

static void bar_end(tarn_session *s)
{
    tarn_session_set_progress(s, NULL, NULL); /* also lets the query end */
    if (bar.drawn) {
        fputs("\r\033[K", stderr);
        bar.drawn = false;
    }
}

/* ---- Ctrl-C --------------------------------------------------------------- */

static tarn_session *volatile interruptible; /* the session whose query SIGINT stops */
static struct sigaction previous_sigint;
static int interrupt_depth;

static void on_sigint(int sig)
{
    (void)sig;
    tarn_session *s = interruptible;
    if (s)
        tarn_session_interrupt(s); /* async-signal-safe by contract */
}

void sql_interruptible_begin(tarn_session *s)
{
    if (interrupt_depth++ == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_sigint;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &previous_sigint);
    }
    interruptible = s;
}

void sql_interruptible_end(void)
{
    if (--interrupt_depth == 0) {
        interruptible = NULL;
        sigaction(SIGINT, &previous_sigint, NULL);
    }
}

/* ---- statements -------------------------------------------------------------- */

/* Past a quoted run starting at s (s[0] is the quote); doubled quotes
 * stay inside. Returns the end of text when unterminated. */
static const char *skip_quoted(const char *s)
{
    char q = *s++;
    for (; *s; s++) {
        if (*s == q) {
            if (s[1] == q)
                s++;
            else
                return s + 1;
        }
    }
    return s;
}

static const char *skip_comment(const char *s)
{
    if (s[0] == '-' && s[1] == '-') {
        const char *nl = strchr(s, '\n');
        return nl ? nl + 1 : s + strlen(s);
    }
    const char *end = strstr(s + 2, "*/");
    return end ? end + 2 : s + strlen(s);
}

size_t sql_statement_end(const char *text)
{
    const char *s = text;
    while (*s) {
        if (*s == '\'' || *s == '"') {
            const char *e = skip_quoted(s);
            if (!*e && e[-1] != *s)
                return 0; /* an open quote: the statement goes on */
            s = e;
        } else if ((s[0] == '-' && s[1] == '-') || (s[0] == '/' && s[1] == '*')) {
            const char *e = skip_comment(s);
            if (s[0] == '/' && !strstr(s + 2, "*/"))
                return 0;
            s = e;
        } else if (*s == ';') {
            return (size_t)(s - text) + 1;
        } else {
            s++;
        }
    }
    return 0;
}

bool sql_is_blank(const char *text)
{
    const char *s = text;
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == ';')
            s++;
        else if ((s[0] == '-' && s[1] == '-') || (s[0] == '/' && s[1] == '*'))
            s = skip_comment(s);
        else
            return false;
    }
    return true;
}

/* ---- printing ---------------------------------------------------------------- */

static int print_options(const sql_output *o, tarn_options **out, tarn_error *err)
{
    tarn_options *p = tarn_options_create();
    int rc = p ? TARN_OK : TARN_ENOMEM;
    if (rc == TARN_OK)
        rc = tarn_options_set(p, "format", o->format, err);
    if (rc == TARN_OK && o->max_rows)
        rc = tarn_options_set(p, "max_rows", o->max_rows, err);
    if (rc == TARN_OK && o->max_width)
        rc = tarn_options_set(p, "max_width", o->max_width, err);
    if (rc == TARN_OK && o->max_col_width)
        rc = tarn_options_set(p, "max_col_width", o->max_col_width, err);
    if (rc != TARN_OK)
        tarn_options_free(p);
    else
        *out = p;
    return rc;
}

/* EXPLAIN's result is one text column named "explain": in a table it would
 * be one cell with escaped newlines, so it is printed as the plan text. */
static bool is_explain(const struct ArrowSchema *sc)
{
    return sc->n_children == 1 && strcmp(sc->children[0]->format, "u") == 0 && sc->children[0]->name &&
           strcmp(sc->children[0]->name, "explain") == 0;
}

static int print_explain(FILE *out, struct ArrowArrayStream *stream, tarn_error *err)
{
    for (;;) {
        struct ArrowArray batch = {0};
        if (stream->get_next(stream, &batch) != 0) {
            const char *m = stream->get_last_error(stream);
            snprintf(err->message, sizeof err->message, "%s", m ? m : "reading the plan failed");
            err->code = TARN_EINTERNAL;
            return TARN_EINTERNAL;
        }
        if (!batch.release)
            return TARN_OK;
        const struct ArrowArray *col = batch.children[0];
        const int32_t *offsets = col->buffers[1];
        const char *text = col->buffers[2];
        for (int64_t r = col->offset; r < col->offset + col->length; r++) {
            fwrite(text + offsets[r], 1, (size_t)(offsets[r + 1] - offsets[r]), out);
            if (offsets[r + 1] == offsets[r] || text[offsets[r + 1] - 1] != '\n')
                fputc('\n', out);
        }
        batch.release(&batch);
    }
}

int sql_run_print(tarn_session *s, const char *sql, FILE *out, const sql_output *o, tarn_error *err)
{
    struct ArrowArrayStream stream = {0};
    tarn_options *popts = NULL;
    int rc = print_options(o, &popts, err);
    if (rc != TARN_OK)
        return rc;
    sql_interruptible_begin(s);
    bar_begin(s, isatty(fileno(out)) && strcmp(o->format, "table") != 0);
    rc = tarn_sql_query(s, sql, &stream, err);
    struct ArrowSchema schema = {0};
    bool plan_text = false;
    if (rc == TARN_OK && strcmp(o->format, "table") == 0 && stream.get_schema(&stream, &schema) == 0) {
        plan_text = is_explain(&schema);
        schema.release(&schema);
    }
    if (rc == TARN_OK && plan_text) {
        rc = print_explain(out, &stream, err);
        stream.release(&stream);
    } else if (rc == TARN_OK) {
        rc = tarn_print(out, &stream, popts, err); /* reads (runs) the query */
    }
    bar_end(s);
    sql_interruptible_end();
    tarn_options_free(popts);
    fflush(out);
    return rc;
}

/* ---- one-shot runs ----------------------------------------------------------- */

static char *read_all(FILE *f)
{
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                return NULL;
            }
            buf = p;
            cap *= 2;
        }
    }
    buf[len] = 0;
    return buf;
}

/* A table written to a file: printed into a temporary beside it, renamed
 * over it at the end, so the file appears complete or not at all. */
static int print_to_file(tarn_session *s, const char *sql, const char *path, const sql_output *o, tarn_error *err)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return TARN_ENOMEM;
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int rc = TARN_OK;
    if (!f) {
        err->code = TARN_EIO;
        snprintf(err->message, sizeof err->message, "%s: %s", path, strerror(errno));
        rc = TARN_EIO;
    }
    if (rc == TARN_OK)
        rc = sql_run_print(s, sql, f, o, err);
    if (f && fclose(f) != 0 && rc == TARN_OK) {
        err->code = rc = TARN_EIO;
        snprintf(err->message, sizeof err->message, "%s: %s", path, strerror(errno));
    }
    if (rc == TARN_OK && rename(tmp, path) != 0) {
        err->code = rc = TARN_EIO;
        snprintf(err->message, sizeof err->message, "%s: %s", path, strerror(errno));
    }
    if (rc != TARN_OK && f)
        remove(tmp);
    free(tmp);
    return rc;
}

static int write_file(tarn_session *s, const char *sql, const char *path, const char *format, tarn_error *err)
{
    struct ArrowArrayStream stream = {0};
    tarn_options *wopts = tarn_options_create();
    int rc = wopts ? TARN_OK : TARN_ENOMEM;
    if (rc == TARN_OK && format)
        rc = tarn_options_set(wopts, "format", format, err);
    sql_interruptible_begin(s);
    bar_begin(s, false);
    if (rc == TARN_OK)
        rc = tarn_sql_query(s, sql, &stream, err);
    if (rc == TARN_OK)
        rc = tarn_write(path, &stream, wopts, err); /* consumes the stream */
    bar_end(s);
    sql_interruptible_end();
    tarn_options_free(wopts);
    return rc;
}

static int run_text(tarn_session *s, const char *sql, cli_args *a, sql_output *o)
{
    tarn_error err;
    tarn_error_init(&err);
    const char *output = cli_get(a, "output"), *format = cli_get(a, "format");
    if (sql_is_blank(sql))
        return cli_usage(a->cmd, "no SQL statement to run");
    int rc;
    if (!output) {
        rc = sql_run_print(s, sql, stdout, o, &err);
    } else {
        const char *f = format ? format : tarn_format_from_path(output);
        if (!f || strcmp(f, "table") == 0)
            rc = print_to_file(s, sql, output, o, &err);
        else
            rc = write_file(s, sql, output, f, &err);
    }
    if (rc != TARN_OK && !err.message[0])
        snprintf(err.message, sizeof err.message, "%s", rc == TARN_ENOMEM ? "out of memory" : tarn_status_name(rc));
    return rc == TARN_OK ? CLI_OK : cli_fail(&err);
}

static int check_flags(cli_args *a, sql_output *o)
{
    long long v;
    static const char *const counts[] = {"max-rows", "max-width", "max-col-width"};
    for (int k = 0; k < 3; k++)
        if (cli_get_count(a, counts[k], 0, &v) != CLI_OK)
            return CLI_USAGE;
    const char *f = cli_get(a, "format"), *output = cli_get(a, "output");
    if (f && strcmp(f, "table") && strcmp(f, "csv") && strcmp(f, "jsonl")) {
        bool file_format = strcmp(f, "parquet") == 0 || strcmp(f, "ipc") == 0 || strcmp(f, "ipc_stream") == 0;
        if (!file_format)
            return cli_usage(a->cmd, "--format must be table, csv, jsonl, parquet or ipc, not '%s'", f);
        if (!output)
            return cli_usage(a->cmd, "--format %s writes a file: give --output FILE", f);
    }
    if (a->npos && cli_get(a, "file"))
        return cli_usage(a->cmd, "give a QUERY or --file, not both");
    snprintf(o->format, sizeof o->format, "%s", f && (!output || strcmp(f, "table") == 0 || strcmp(f, "csv") == 0 ||
                                                     strcmp(f, "jsonl") == 0)
                                                    ? f
                                                    : "table");
    o->max_rows = cli_get(a, "max-rows");
    o->max_width = cli_get(a, "max-width");
    o->max_col_width = cli_get(a, "max-col-width");
    return CLI_OK;
}

/* --threads and --memory-limit also become the session's settings. */
static int apply_settings(tarn_session *s, const cli_args *a)
{
    tarn_error err;
    tarn_error_init(&err);
    if (a->threads && tarn_session_set(s, "threads", a->threads, &err) != TARN_OK)
        return cli_fail(&err);
    if (a->memory_limit && tarn_session_set(s, "memory_limit", a->memory_limit, &err) != TARN_OK)
        return cli_fail(&err);
    return CLI_OK;
}

static int run(cli_args *a)
{
    sql_output o;
    memset(&o, 0, sizeof o);
    int rc = check_flags(a, &o);
    if (rc != CLI_OK)
        return rc;
    tarn_error err;
    tarn_error_init(&err);
    tarn_session *s = NULL;
    if (tarn_session_open(&s, &err) != TARN_OK)
        return cli_fail(&err);
    rc = apply_settings(s, a);
    const char *file = cli_get(a, "file");
    if (rc != CLI_OK) {
        /* the error is printed */
    } else if (a->npos) {
        rc = run_text(s, a->pos[0], a, &o);
    } else if (file || !isatty(0)) {
        FILE *f = !file || strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
        char *text = f ? read_all(f) : NULL;
        if (!f)
            rc = cli_failf("%s: %s", file, strerror(errno));
        else if (!text)
            rc = cli_failf("%s: cannot read: %s", file ? file : "stdin", strerror(errno ? errno : ENOMEM));
        else
            rc = run_text(s, text, a, &o);
        if (f && f != stdin)
            fclose(f);
        free(text);
    } else {
        rc = sql_shell(s, &o);
    }
    tarn_session_close(s);
    return rc;
}

const cli_command cmd_sql = {
    .name = "sql",
    .summary = "run SQL over files and tables; an interactive shell without a query",
    .positionals = positionals,
    .required = 0,
    .flags = flags,
    .details = "Tables are files and URLs named in the query ('lineitem.parquet', 's3://b/k/*.parquet')\n"
               "and what CREATE TABLE / CREATE VIEW made in the session. A script runs statement by\n"
               "statement; the result of the last one is printed. Without QUERY or --file, SQL is\n"
               "read from stdin, or, on a terminal, an interactive shell starts (.help lists its\n"
               "commands). Ctrl-C stops the running query. CSV output has a header row, NULL as an\n"
               "empty field and the empty string as \"\". --output writes the file atomically, in the\n"
               "format of its extension or --format (csv, jsonl, parquet, ipc, table).\n"
               "Errors are one line with the line and column of the SQL text; exit status 1.\n",
    .examples = "  tarn sql \"SELECT 42 AS answer\"\n"
                "  tarn sql \"SELECT l_returnflag, count(*) FROM 'lineitem.parquet' GROUP BY 1\" --format csv\n"
                "  tarn sql -f q01.sql --threads 4 --memory-limit 500MB\n"
                "  tarn sql \"SELECT * FROM 'orders.csv' WHERE amount > 100\" --output big.parquet\n"
                "  tarn sql                                   interactive shell\n",
    .run = run,
};
