/*
 * cli.h — what the commands of the `tarn` tool share: the command table
 * entry, the flag parser's result and the helpers for errors and help.
 *
 * Adding a command: write cli/cmd_NAME.c defining a `const cli_command
 * cmd_NAME` (name, summary, positionals, flags, examples, run) and add one
 * line to the table in main.c. The parser (args.c) handles --flag value,
 * --flag=value, -f value, "--", -h/--help and the global flags for every
 * command, and prints usage errors, so a command's run() starts with valid
 * arguments.
 *
 * The tool is a client of the public API (include/tarn/) only.
 */
#ifndef TARN_CLI_H
#define TARN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "tarn/tarn.h"

enum { CLI_OK = 0, CLI_ERROR = 1, CLI_USAGE = 2 }; /* exit codes, stable */

#define CLI_MAX_FLAGS 32
#define CLI_MAX_POS 32

typedef struct cli_flag {
    const char *name;  /* long name without "--", words joined by '-' */
    char short_name;   /* 0 when none */
    const char *value; /* placeholder of the value ("N", "A,B"); NULL: a switch */
    const char *help;  /* one line */
} cli_flag;

typedef struct cli_args cli_args;

typedef struct cli_command {
    const char *name;
    const char *summary;                 /* one line, for "tarn --help" */
    const char *const *positionals;      /* NULL-terminated names ("FILE") */
    int required;                        /* how many positionals are required */
    bool variadic;                       /* the last positional repeats (up to CLI_MAX_POS) */
    const cli_flag *flags;               /* terminated by a zeroed entry */
    bool pass_options;                   /* unknown --key value go to a->extra */
    const char *details;                 /* paragraphs after the flags; may be NULL */
    const char *examples;                /* lines of examples */
    int (*run)(cli_args *a);
} cli_command;

struct cli_args {
    const cli_command *cmd;
    int npos;
    const char *pos[CLI_MAX_POS];
    const char *values[CLI_MAX_FLAGS]; /* per cmd->flags entry: value, "" for a set switch, NULL unset */
    tarn_options *extra;               /* pass_options: --key value pairs not in flags */
    bool help;
    const char *threads, *memory_limit; /* global flags */
};

/* Parse argv (after the command name). Returns CLI_OK, or CLI_USAGE after
 * printing a one-line error and the hint to stderr. a->extra must be freed
 * with cli_args_free. */
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *a);
void cli_args_free(cli_args *a);

/* The value of a flag by long name, NULL when not given; cli_flag_set for
 * switches. */
const char *cli_get(const cli_args *a, const char *name);
bool cli_flag_set(const cli_args *a, const char *name);

/* A non-negative integer flag; def when absent. CLI_USAGE (printed) when the
 * value is not a number. */
int cli_get_count(const cli_args *a, const char *name, long long def, long long *out);

/* Print the help of a command (usage, flags, global flags, examples). */
void cli_help(FILE *f, const cli_command *cmd);

/* "tarn: message" on stderr; returns CLI_ERROR. */
int cli_fail(const tarn_error *err);
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "tarn CMD: message" and "try 'tarn CMD --help'"; returns CLI_USAGE. */
int cli_usage(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copy a flag's value into opts under key, when the flag was given. */
int cli_copy_option(const cli_args *a, const char *flag, tarn_options *opts, const char *key, tarn_error *err);

extern const cli_flag cli_global_flags[];

#endif
