/*
 * args.c — the flag parser and help printer shared by every command of the
 * `tarn` tool (see cli.h). Flags may come before, between or after the
 * positional arguments; "--" ends the flags.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const cli_flag cli_global_flags[] = {
    {"threads", 0, "N", "worker threads (default: the number of cores, or $TARN_THREADS)"},
    {"memory-limit", 0, "SIZE", "memory budget such as 512MB or 2GiB (default: none)"},
    {"help", 'h', NULL, "show this help"},
    {0},
};

/* Flag names compare ignoring '-' versus '_'. */
static bool same_name(const char *flag, const char *given, size_t n)
{
    size_t k = 0;
    for (; k < n && flag[k]; k++) {
        char a = flag[k] == '_' ? '-' : flag[k], b = given[k] == '_' ? '-' : given[k];
        if (a != b)
            return false;
    }
    return k == n && !flag[k];
}

static int find_flag(const cli_flag *flags, const char *name, size_t n, char short_name)
{
    for (int k = 0; flags && flags[k].name; k++)
        if (short_name ? flags[k].short_name == short_name : same_name(flags[k].name, name, n))
            return k;
    return -1;
}

int cli_usage(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tarn%s%s: ", cmd ? " " : "", cmd ? cmd->name : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\ntry 'tarn%s%s --help'\n", cmd ? " " : "", cmd ? cmd->name : "");
    return CLI_USAGE;
}

int cli_fail(const tarn_error *err)
{
    fprintf(stderr, "tarn: %s\n", err->message[0] ? err->message : tarn_status_name(err->code));
    return CLI_ERROR;
}

int cli_failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tarn: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_ERROR;
}

/* A --key value the command does not declare, kept as an option for the
 * library (key with '-' turned into '_'). */
static int pass_option(cli_args *a, const char *name, size_t n, const char *value)
{
    char key[128];
    if (n >= sizeof key)
        return cli_usage(a->cmd, "flag '--%.*s' is too long", (int)n, name);
    for (size_t k = 0; k < n; k++)
        key[k] = name[k] == '-' ? '_' : name[k];
    key[n] = 0;
    tarn_error err;
    if (!a->extra && !(a->extra = tarn_options_create()))
        return cli_failf("out of memory");
    /* Per-column options are lists: a repeated flag adds to the list. */
    static const char *const lists[] = {"column_compression", "column_encoding", "column_dictionary", "bloom_filter"};
    const char *old = tarn_options_get(a->extra, key);
    for (size_t k = 0; old && k < sizeof lists / sizeof lists[0]; k++)
        if (!strcmp(key, lists[k]) || (!strncmp(key, "out_", 4) && !strcmp(key + 4, lists[k]))) {
            size_t len = strlen(old) + strlen(value) + 2;
            char *joined = malloc(len);
            if (!joined)
                return cli_failf("out of memory");
            snprintf(joined, len, "%s,%s", old, value);
            int rc = tarn_options_set(a->extra, key, joined, &err);
            free(joined);
            return rc != TARN_OK ? cli_fail(&err) : CLI_OK;
        }
    if (tarn_options_set(a->extra, key, value, &err) != TARN_OK)
        return cli_fail(&err);
    return CLI_OK;
}

/* One flag at argv[*i]; may consume the next argument as its value. */
static int one_flag(cli_args *a, int argc, char **argv, int *i)
{
    const char *s = argv[*i];
    bool is_long = s[1] == '-';
    const char *name = s + (is_long ? 2 : 1);
    const char *eq = is_long ? strchr(name, '=') : NULL;
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    if (!is_long && n != 1)
        return cli_usage(a->cmd, "unknown flag '%s' (long flags take two dashes)", s);
    char short_name = is_long ? 0 : name[0];
    int k = find_flag(a->cmd->flags, name, n, short_name);
    int g = k < 0 ? find_flag(cli_global_flags, name, n, short_name) : -1;
    const cli_flag *f = k >= 0 ? &a->cmd->flags[k] : g >= 0 ? &cli_global_flags[g] : NULL;
    if (!f && !(is_long && a->cmd->pass_options))
        return cli_usage(a->cmd, "unknown flag '%s'", s);
    const char *value = "";
    if (!f || f->value) {
        if (eq) {
            value = eq + 1;
        } else if (*i + 1 < argc) {
            value = argv[++*i];
        } else {
            return cli_usage(a->cmd, "flag '%.*s%.*s' needs a value%s%s", is_long ? 2 : 1, "--", (int)n, name,
                             f ? " " : "", f ? f->value : "");
        }
    } else if (eq) {
        return cli_usage(a->cmd, "flag '--%s' takes no value", f->name);
    }
    if (!f)
        return pass_option(a, name, n, value);
    if (k >= 0) {
        a->values[k] = value;
    } else if (strcmp(f->name, "help") == 0) {
        a->help = true;
    } else if (strcmp(f->name, "threads") == 0) {
        a->threads = value;
    } else {
        a->memory_limit = value;
    }
    return CLI_OK;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *a)
{
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    bool only_pos = false;
    int max_pos = 0;
    while (cmd->positionals && cmd->positionals[max_pos])
        max_pos++;
    if (cmd->variadic)
        max_pos = CLI_MAX_POS;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (!only_pos && strcmp(s, "--") == 0) {
            only_pos = true;
        } else if (!only_pos && s[0] == '-' && s[1]) {
            int rc = one_flag(a, argc, argv, &i);
            if (rc != CLI_OK)
                return rc;
        } else if (a->npos < max_pos) {
            a->pos[a->npos++] = s;
        } else {
            return cli_usage(cmd, "unexpected argument '%s'", s);
        }
    }
    if (!a->help && a->npos < cmd->required)
        return cli_usage(cmd, "missing %s", cmd->positionals[a->npos]);
    return CLI_OK;
}

void cli_args_free(cli_args *a)
{
    tarn_options_free(a->extra);
    a->extra = NULL;
}

const char *cli_get(const cli_args *a, const char *name)
{
    int k = find_flag(a->cmd->flags, name, strlen(name), 0);
    return k >= 0 ? a->values[k] : NULL;
}

bool cli_flag_set(const cli_args *a, const char *name)
{
    return cli_get(a, name) != NULL;
}

int cli_get_count(const cli_args *a, const char *name, long long def, long long *out)
{
    const char *s = cli_get(a, name);
    *out = def;
    if (!s)
        return CLI_OK;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || v < 0)
        return cli_usage(a->cmd, "--%s expects a non-negative integer, got '%s'", name, s);
    *out = v;
    return CLI_OK;
}

int cli_copy_option(const cli_args *a, const char *flag, tarn_options *opts, const char *key, tarn_error *err)
{
    const char *v = cli_get(a, flag);
    return v ? tarn_options_set(opts, key, v, err) : TARN_OK;
}

static void flag_lines(FILE *f, const cli_flag *flags)
{
    for (int k = 0; flags && flags[k].name; k++) {
        char left[80];
        const char *v = flags[k].value;
        if (flags[k].short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", flags[k].short_name, flags[k].name, v ? " " : "", v ? v : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", flags[k].name, v ? " " : "", v ? v : "");
        fprintf(f, "  %-30s %s\n", left, flags[k].help);
    }
}

void cli_help(FILE *f, const cli_command *cmd)
{
    fprintf(f, "tarn %s — %s\n\nusage: tarn %s", cmd->name, cmd->summary, cmd->name);
    for (int k = 0; cmd->positionals && cmd->positionals[k]; k++)
        fprintf(f, k < cmd->required ? " %s" : " [%s]", cmd->positionals[k]);
    if (cmd->variadic)
        fprintf(f, "...");
    fprintf(f, " [options]\n");
    if (cmd->flags && cmd->flags[0].name) {
        fprintf(f, "\noptions:\n");
        flag_lines(f, cmd->flags);
    }
    fprintf(f, "\nglobal options:\n");
    flag_lines(f, cli_global_flags);
    if (cmd->details)
        fprintf(f, "\n%s", cmd->details);
    if (cmd->examples)
        fprintf(f, "\nexamples:\n%s", cmd->examples);
    fprintf(f, "\nexit codes: 0 ok, 1 error, 2 usage error\n");
}
