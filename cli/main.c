/*
 * main.c — the `tarn` command: global flags, dispatch to a command, help and
 * version. Each command lives in its own cmd_*.c file and is one line of the
 * table below.
 */
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cli.h"

extern const cli_command cmd_cat, cmd_schema, cmd_convert, cmd_example, cmd_store, cmd_sniff, cmd_gen,
    cmd_parquet;
#ifdef TARN_CLI_SQL /* built when the library has SQL sessions (CMakeLists.txt) */
extern const cli_command cmd_sql;
#endif

static const cli_command *const commands[] = {
    &cmd_cat,
    &cmd_schema,
    &cmd_convert,
    &cmd_example,
    &cmd_store,
    &cmd_sniff,
    &cmd_gen,
    &cmd_parquet,
#ifdef TARN_CLI_SQL
    &cmd_sql,
#endif
    NULL,
};

static const cli_command *find(const char *name)
{
    for (int k = 0; commands[k]; k++)
        if (strcmp(commands[k]->name, name) == 0)
            return commands[k];
    return NULL;
}

static void top_help(FILE *f)
{
    fprintf(f, "tarn %s — read, convert and inspect columnar data files\n\n"
               "usage: tarn [global options] <command> [arguments] [options]\n\ncommands:\n",
            tarn_version());
    for (int k = 0; commands[k]; k++)
        fprintf(f, "  %-10s %s\n", commands[k]->name, commands[k]->summary);
    fprintf(f, "  %-10s %s\n", "help", "show the help of a command: tarn help COMMAND");
    fprintf(f, "\nglobal options (also accepted after the command):\n"
               "      --threads N              worker threads (default: the number of cores)\n"
               "      --memory-limit SIZE      memory budget such as 512MB or 2GiB (default: none)\n"
               "  -h, --help                   show help\n"
               "      --version                print the version\n\nformats:");
    for (int k = 0; tarn_format_name(k); k++)
        fprintf(f, "%s %s", k ? "," : "", tarn_format_name(k));
    fprintf(f, "\n\nexamples:\n"
               "  tarn example orders.arrow                 write a small example file\n"
               "  tarn cat orders.arrow --limit 5           show the first rows as a table\n"
               "  tarn schema orders.arrow                  show the columns and their types\n"
               "  tarn convert orders.arrow orders.jsonl    convert to JSON Lines\n"
               "\nexit codes: 0 ok, 1 error, 2 usage error\n");
}

/* s is --flag or --flag=value. */
static bool is_flag(const char *s, const char *flag)
{
    size_t n = strlen(flag);
    return strncmp(s, flag, n) == 0 && (s[n] == 0 || s[n] == '=');
}

/* Apply --threads and --memory-limit. */
static int globals(const cli_args *a)
{
    tarn_error err;
    if (a->threads) {
        char *end;
        long n = strtol(a->threads, &end, 10);
        if (end == a->threads || *end || n < 0 || n > 4096)
            return cli_usage(a->cmd, "--threads expects a number from 0 to 4096, got '%s'", a->threads);
        if (tarn_set_threads((int)n, &err) != TARN_OK)
            return cli_fail(&err);
    }
    if (a->memory_limit) {
        int64_t bytes;
        if (tarn_parse_size(a->memory_limit, &bytes, &err) != TARN_OK)
            return cli_usage(a->cmd, "--memory-limit: %s", err.message);
        tarn_set_memory_limit(bytes);
    }
    return CLI_OK;
}

static int run(const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(cmd, argc, argv, &a);
    if (rc == CLI_OK && a.help) {
        cli_help(stdout, cmd);
    } else if (rc == CLI_OK) {
        rc = globals(&a);
        if (rc == CLI_OK)
            rc = cmd->run(&a);
    }
    cli_args_free(&a);
    return rc;
}

/* Batches are large, short-lived allocations. glibc serves those from
 * fresh mmaps and unmaps them on free, so every batch pays its page faults
 * again (a third of TPC-H Q1's CPU time at SF1). Keeping freed memory in the
 * heap lets the next batch reuse it. A library does not change its host's
 * allocator; the command does, for itself (docs/internals/core.md). */
static void tune_allocator(void)
{
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

int main(int argc, char **argv)
{
    tune_allocator();
    int i = 1;
    const char *threads = NULL, *memory = NULL;
    /* global flags before the command */
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *s = argv[i];
        if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
            top_help(stdout);
            return CLI_OK;
        }
        if (strcmp(s, "--version") == 0) {
            printf("tarn %s\n", tarn_version());
            return CLI_OK;
        }
        const char **slot = is_flag(s, "--threads") ? &threads : is_flag(s, "--memory-limit") ? &memory : NULL;
        const char *eq = strchr(s, '=');
        if (!slot) {
            fprintf(stderr, "tarn: unknown flag '%s'\ntry 'tarn --help'\n", s);
            return CLI_USAGE;
        }
        if (eq) {
            *slot = eq + 1;
        } else if (i + 1 < argc) {
            *slot = argv[++i];
        } else {
            fprintf(stderr, "tarn: flag '%s' needs a value\ntry 'tarn --help'\n", s);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        top_help(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[i++];
    if (strcmp(name, "help") == 0) {
        if (i >= argc) {
            top_help(stdout);
            return CLI_OK;
        }
        const cli_command *c = find(argv[i]);
        if (!c) {
            fprintf(stderr, "tarn: unknown command '%s'\ntry 'tarn --help'\n", argv[i]);
            return CLI_USAGE;
        }
        cli_help(stdout, c);
        return CLI_OK;
    }
    const cli_command *cmd = find(name);
    if (!cmd) {
        fprintf(stderr, "tarn: unknown command '%s'\ntry 'tarn --help'\n", name);
        return CLI_USAGE;
    }
    /* global flags given before the command are passed on after it */
    char **args = malloc(sizeof(char *) * (size_t)(argc - i + 4));
    if (!args)
        return cli_failf("out of memory");
    int n = 0;
    if (threads)
        args[n++] = "--threads", args[n++] = (char *)threads;
    if (memory)
        args[n++] = "--memory-limit", args[n++] = (char *)memory;
    memcpy(args + n, argv + i, sizeof(char *) * (size_t)(argc - i));
    int rc = run(cmd, n + argc - i, args);
    free(args);
    return rc;
}
