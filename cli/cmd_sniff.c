/*
 * cmd_sniff.c — `tarn sniff FILE`: how a CSV or JSON file is written
 * (delimiter, quote, header; or JSON lines versus one array) and the schema
 * inferred from a sample, with the date layout of date columns and what JSON
 * inference had to widen. Reader options pass through as --key value.
 */
#include "cli.h"

static const char *const positionals[] = {"FILE", NULL};

static const cli_flag flags[] = {
    {"from", 0, "FORMAT", "csv or jsonl when the extension does not tell it"},
    {0},
};

static int run(cli_args *a)
{
    tarn_error err;
    tarn_error_init(&err);
    tarn_options *opts = a->extra ? a->extra : tarn_options_create();
    if (!opts)
        return cli_failf("out of memory");
    a->extra = opts;
    char *report = NULL;
    int rc = cli_copy_option(a, "from", opts, "format", &err);
    if (rc == TARN_OK)
        rc = tarn_sniff(a->pos[0], opts, &report, &err);
    if (rc != TARN_OK)
        return cli_fail(&err);
    fputs(report, stdout);
    tarn_free(report);
    return CLI_OK;
}

const cli_command cmd_sniff = {
    .name = "sniff",
    .summary = "detect the dialect and schema of a CSV or JSON file",
    .positionals = positionals,
    .required = 1,
    .flags = flags,
    .pass_options = true,
    .details = "Reader options such as --delimiter ';', --header false, --null NA, --types 'a int' or\n"
               "--sample-rows 1000 are taken as they are by `tarn cat`.\n",
    .examples = "  tarn sniff data.csv\n  tarn sniff events.jsonl\n  tarn sniff export.txt --from csv --delimiter '|'\n",
    .run = run,
};
