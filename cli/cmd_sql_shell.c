/*
 * cmd_sql_shell.c — the interactive shell of `tarn sql` on libedit: line
 * editing, a history file, statements over several lines ended by ';',
 * tab completion of keywords and table names, dot commands (.help lists
 * them). Ctrl-C during a query stops the query (tarn_session_interrupt);
 * at the prompt it drops the line being typed; Ctrl-D or .quit leaves.
 */
#include <editline/readline.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "sql_cli.h"

#define HISTORY_LINES 2000

static const char *const keywords[] = {
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "QUALIFY", "WINDOW",
    "WITH", "RECURSIVE", "AS", "ON", "USING", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS",
    "SEMI", "ANTI", "NATURAL", "LATERAL", "UNION", "INTERSECT", "EXCEPT", "ALL", "DISTINCT", "AND", "OR",
    "NOT", "NULL", "IS", "IN", "EXISTS", "BETWEEN", "LIKE", "ILIKE", "CASE", "WHEN", "THEN", "ELSE", "END",
    "CAST", "TRY_CAST", "ASC", "DESC", "NULLS", "FIRST", "LAST", "OVER", "PARTITION", "ROWS", "RANGE",
    "GROUPS", "PRECEDING", "FOLLOWING", "UNBOUNDED", "CURRENT", "ROW", "GROUPING", "SETS", "ROLLUP", "CUBE",
    "INSERT", "INTO", "VALUES", "UPDATE", "SET", "DELETE", "CREATE", "TABLE", "VIEW", "DROP", "IF",
    "REPLACE", "COPY", "TO", "EXPLAIN", "ANALYZE", "DESCRIBE", "SHOW", "TABLES", "PREPARE", "EXECUTE",
    "TRUE", "FALSE", "INTEGER", "BIGINT", "DOUBLE", "DECIMAL", "VARCHAR", "BOOLEAN", "DATE", "TIMESTAMP",
    "INTERVAL", "count", "sum", "avg", "min", "max", "string_agg", "row_number", "rank", "dense_rank",
    "lag", "lead", "coalesce", "extract", "date_trunc", "substring", "lower", "upper", "length",
    "read_parquet", "read_csv", NULL,
};

static tarn_session *shell_session;
static char **table_names; /* refreshed before each prompt */
static int ntables;
static volatile sig_atomic_t prompt_interrupted;

/* ---- table names --------------------------------------------------------------- */

static void free_tables(void)
{
    for (int k = 0; k < ntables; k++)
        free(table_names[k]);
    free(table_names);
    table_names = NULL;
    ntables = 0;
}

/* The first column of a one-column string result, as C strings. */
static void collect_strings(struct ArrowArrayStream *st)
{
    struct ArrowSchema schema = {0};
    if (st->get_schema(st, &schema) != 0)
        return;
    bool utf8 = schema.n_children > 0 && strcmp(schema.children[0]->format, "u") == 0;
    for (;;) {
        struct ArrowArray b = {0};
        if (st->get_next(st, &b) != 0 || !b.release)
            break;
        const struct ArrowArray *c = utf8 ? b.children[0] : NULL;
        for (int64_t r = 0; c && r < b.length; r++) {
            int64_t i = b.offset + c->offset + r;
            const uint8_t *valid = c->buffers[0];
            if (valid && !((valid[i >> 3] >> (i & 7)) & 1))
                continue;
            const int32_t *off = c->buffers[1];
            const char *data = c->buffers[2];
            char **grown = realloc(table_names, sizeof(char *) * (size_t)(ntables + 1));
            char *name = malloc((size_t)(off[i + 1] - off[i]) + 1);
            if (!grown || !name) {
                free(name);
                if (grown)
                    table_names = grown;
                break;
            }
            table_names = grown;
            memcpy(name, data + off[i], (size_t)(off[i + 1] - off[i]));
            name[off[i + 1] - off[i]] = 0;
            table_names[ntables++] = name;
        }
        b.release(&b);
    }
    schema.release(&schema);
}

static void refresh_tables(void)
{
    struct ArrowArrayStream st = {0};
    tarn_error err;
    tarn_error_init(&err);
    free_tables();
    if (tarn_sql_query(shell_session, "SHOW TABLES", &st, &err) != TARN_OK)
        return; /* completion then offers keywords only */
    collect_strings(&st);
    st.release(&st);
}

/* ---- completion ---------------------------------------------------------------- */

static char *next_match(const char *text, int state)
{
    static int kw, tb;
    static size_t len;
    if (state == 0) {
        kw = tb = 0;
        len = strlen(text);
    }
    while (tb < ntables) {
        const char *n = table_names[tb++];
        if (strncasecmp(n, text, len) == 0)
            return strdup(n);
    }
    while (keywords[kw]) {
        const char *k = keywords[kw++];
        if (strncasecmp(k, text, len) == 0) {
            /* match the case the user types in */
            char *m = strdup(k);
            bool lower = len > 0 && text[0] >= 'a' && text[0] <= 'z';
            for (char *p = m; m && lower && *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
            return m;
        }
    }
    return NULL;
}

static char **complete(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1; /* no file-name fallback */
    return rl_completion_matches(text, next_match);
}

/* ---- dot commands ---------------------------------------------------------------- */

static bool timer_on;

static void shell_help(void)
{
    printf(".tables              the tables and views of the session\n"
           ".schema [TABLE]      the columns of TABLE (of every table without one)\n"
           ".timer on|off        print the time each statement takes\n"
           ".mode table|csv|jsonl  how results are printed\n"
           ".help                this list\n"
           ".quit                leave (also Ctrl-D)\n"
           "SQL statements end with ';' and may span several lines. Ctrl-C stops a running query.\n");
}

static void report(int rc, const tarn_error *err)
{
    if (rc != TARN_OK)
        fprintf(stderr, "Error: %s\n", err->message[0] ? err->message : tarn_status_name(rc));
}

static void run_print(const char *sql, sql_output *o)
{
    tarn_error err;
    tarn_error_init(&err);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = sql_run_print(shell_session, sql, stdout, o, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    report(rc, &err);
    if (timer_on)
        printf("Run Time: %.3f s\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
}

/* Quote a table name as an identifier ("a""b"). */
static char *quoted(const char *name)
{
    size_t n = strlen(name);
    char *q = malloc(2 * n + 3), *p = q;
    if (!q)
        return NULL;
    *p++ = '"';
    for (const char *s = name; *s; s++) {
        if (*s == '"')
            *p++ = '"';
        *p++ = *s;
    }
    *p++ = '"';
    *p = 0;
    return q;
}

static void describe(const char *table, sql_output *o)
{
    char *q = quoted(table);
    char *sql = q ? malloc(strlen(q) + 16) : NULL;
    if (sql) {
        sprintf(sql, "DESCRIBE %s", q);
        if (ntables > 1)
            printf("%s:\n", table);
        run_print(sql, o);
    }
    free(sql);
    free(q);
}

/* Returns false for .quit. */
static bool dot_command(char *line, sql_output *o)
{
    char *argv[4] = {0};
    int argc = 0;
    for (char *tok = strtok(line, " \t"); tok && argc < 4; tok = strtok(NULL, " \t"))
        argv[argc++] = tok;
    const char *cmd = argv[0];
    if (strcmp(cmd, ".quit") == 0 || strcmp(cmd, ".exit") == 0)
        return false;
    if (strcmp(cmd, ".help") == 0) {
        shell_help();
    } else if (strcmp(cmd, ".tables") == 0) {
        run_print("SHOW TABLES", o);
    } else if (strcmp(cmd, ".schema") == 0) {
        if (argc > 1) {
            describe(argv[1], o);
        } else {
            refresh_tables();
            for (int k = 0; k < ntables; k++)
                describe(table_names[k], o);
            if (ntables == 0)
                printf("no tables\n");
        }
    } else if (strcmp(cmd, ".timer") == 0 && argc == 2 && (!strcmp(argv[1], "on") || !strcmp(argv[1], "off"))) {
        timer_on = strcmp(argv[1], "on") == 0;
    } else if (strcmp(cmd, ".mode") == 0 && argc == 2 &&
               (!strcmp(argv[1], "table") || !strcmp(argv[1], "csv") || !strcmp(argv[1], "jsonl"))) {
        snprintf(o->format, sizeof o->format, "%s", argv[1]);
    } else {
        fprintf(stderr, "Error: unknown or incomplete command '%s'; .help lists the commands\n", line);
    }
    return true;
}

/* ---- the loop ---------------------------------------------------------------------- */

static char *history_path(void)
{
    const char *env = getenv("TARN_HISTORY");
    if (env)
        return *env ? strdup(env) : NULL;
    const char *home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    char *p = malloc(strlen(home) + 32);
    if (p)
        sprintf(p, "%s/.tarn_history", home);
    return p;
}

static void on_prompt_sigint(int sig)
{
    (void)sig;
    prompt_interrupted = 1;
}

/* Append line to the pending statement text. */
static bool append(char **buf, size_t *len, const char *line)
{
    size_t n = strlen(line);
    char *p = realloc(*buf, *len + n + 2);
    if (!p)
        return false;
    memcpy(p + *len, line, n);
    p[*len + n] = '\n';
    p[*len + n + 1] = 0;
    *buf = p;
    *len += n + 1;
    return true;
}

/* Run every complete statement at the front of buf; keep the rest. */
static void run_complete(char **buf, size_t *len, sql_output *o)
{
    size_t end;
    while (*buf && (end = sql_statement_end(*buf)) > 0) {
        char saved = (*buf)[end];
        (*buf)[end] = 0;
        if (!sql_is_blank(*buf))
            run_print(*buf, o);
        (*buf)[end] = saved;
        memmove(*buf, *buf + end, *len - end + 1);
        *len -= end;
    }
    if (*buf && sql_is_blank(*buf)) {
        (*buf)[0] = 0;
        *len = 0;
    }
}

int sql_shell(tarn_session *s, sql_output *o)
{
    shell_session = s;
    rl_readline_name = "tarn";
    rl_attempted_completion_function = complete;
    rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{(,.";
    char *hist = history_path();
    stifle_history(HISTORY_LINES);
    if (hist)
        read_history(hist);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_prompt_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    printf("tarn %s — SQL shell. Statements end with ';'. .help for help, .quit or Ctrl-D to leave.\n",
           tarn_version());
    char *buf = NULL;
    size_t len = 0;
    for (;;) {
        refresh_tables();
        prompt_interrupted = 0;
        char *line = readline(len ? "   ...> " : "tarn> ");
        if (prompt_interrupted) {
            /* Ctrl-C at the prompt: forget the statement being typed */
            free(line);
            free(buf);
            buf = NULL;
            len = 0;
            printf("\n");
            continue;
        }
        if (!line) {
            printf("\n");
            break;
        }
        if (*line)
            add_history(line);
        char *t = line;
        while (*t == ' ' || *t == '\t')
            t++;
        if (len == 0 && *t == '.') {
            bool go_on = dot_command(t, o);
            free(line);
            if (!go_on)
                break;
            continue;
        }
        bool ok = append(&buf, &len, line);
        free(line);
        if (!ok) {
            fprintf(stderr, "Error: out of memory\n");
            break;
        }
        run_complete(&buf, &len, o);
    }
    sigaction(SIGINT, &old, NULL);
    if (hist) {
        write_history(hist);
        history_truncate_file(hist, HISTORY_LINES);
    }
    free(hist);
    free(buf);
    free_tables();
    return CLI_OK;
}
