/*
 * cmd_example.c — `tarn example FILE`: write tarn's small built-in dataset
 * (eight orders with integers, decimals, strings, dates, UTC timestamps,
 * lists, structs, booleans and NULLs) in any writable format, so that the
 * other commands can be tried without data at hand.
 */
#include "cli.h"

static const char *const positionals[] = {"FILE", NULL};

static const cli_flag flags[] = {
    {"to", 't', "FORMAT", "output format when FILE's extension does not tell it"},
    {"compression", 0, "CODEC", "ipc: zstd, lz4 or none, optionally with :LEVEL"},
    {0},
};

static int run(cli_args *a)
{
    tarn_error err;
    tarn_error_init(&err);
    tarn_options *opts = tarn_options_create();
    if (!opts)
        return cli_failf("out of memory");
    struct ArrowArrayStream stream = {0};
    int rc = cli_copy_option(a, "to", opts, "format", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "compression", opts, "compression", &err);
    if (rc == TARN_OK)
        rc = tarn_example(&stream, &err);
    if (rc == TARN_OK)
        rc = tarn_write(a->pos[0], &stream, opts, &err);
    tarn_options_free(opts);
    return rc == TARN_OK ? CLI_OK : cli_fail(&err);
}

const cli_command cmd_example = {
    .name = "example",
    .summary = "write a small example dataset of many types",
    .positionals = positionals,
    .required = 1,
    .flags = flags,
    .examples = "  tarn example orders.arrow\n"
                "  tarn example orders.jsonl\n",
    .run = run,
};
