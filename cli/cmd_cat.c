/*
 * cmd_cat.c — `tarn cat FILE`: print the rows of a file as a table, CSV or
 * JSON Lines, optionally a subset of columns and rows.
 */
#include <string.h>

#include "cli.h"

static const char *const positionals[] = {"FILE", NULL};

static const cli_flag flags[] = {
    {"format", 'f', "FORMAT", "output: table (default), csv or jsonl"},
    {"columns", 'c', "A,B", "only these columns, in this order"},
    {"limit", 'n', "N", "only the first N rows"},
    {"max-rows", 0, "N", "table: rows shown before the middle is left out (default 40; 0 = all)"},
    {"max-width", 0, "N", "table: total width (default: the terminal's; 0 = no limit)"},
    {"max-col-width", 0, "N", "table: width of one column (default 32)"},
    {"from", 0, "FORMAT", "input format when the extension does not tell it"},
    {0},
};

static int cat(cli_args *a)
{
    tarn_error err;
    tarn_error_init(&err);
    tarn_options *ropts = tarn_options_create(), *popts = tarn_options_create();
    struct ArrowArrayStream stream = {0};
    int rc = ropts && popts ? TARN_OK : TARN_ENOMEM;
    /* other --key value flags are reader options (--delimiter ';', --on-error skip) */
    for (int i = 0; rc == TARN_OK && tarn_options_key_at(a->extra, i); i++)
        rc = tarn_options_set(ropts, tarn_options_key_at(a->extra, i), tarn_options_value_at(a->extra, i), &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "columns", ropts, "columns", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "limit", ropts, "limit", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "from", ropts, "format", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "format", popts, "format", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "max-rows", popts, "max_rows", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "max-width", popts, "max_width", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "max-col-width", popts, "max_col_width", &err);
    if (rc == TARN_OK)
        rc = tarn_read(a->pos[0], ropts, &stream, &err);
    if (rc == TARN_OK)
        rc = tarn_print(stdout, &stream, popts, &err);
    tarn_options_free(ropts);
    tarn_options_free(popts);
    if (rc != TARN_OK && !err.message[0])
        return cli_failf("out of memory");
    return rc == TARN_OK ? CLI_OK : cli_fail(&err);
}

static int run(cli_args *a)
{
    long long v;
    /* numbers are checked here so that a typo is a usage error (exit 2) */
    static const char *const counts[] = {"limit", "max-rows", "max-width", "max-col-width"};
    for (int k = 0; k < 4; k++)
        if (cli_get_count(a, counts[k], 0, &v) != CLI_OK)
            return CLI_USAGE;
    const char *f = cli_get(a, "format");
    if (f && strcmp(f, "table") && strcmp(f, "csv") && strcmp(f, "jsonl"))
        return cli_usage(a->cmd, "--format must be table, csv or jsonl, not '%s'", f);
    return cat(a);
}

const cli_command cmd_cat = {
    .name = "cat",
    .summary = "print the rows of a file as a table, CSV or JSON Lines",
    .positionals = positionals,
    .required = 1,
    .flags = flags,
    .pass_options = true,
    .details = "Other --key value flags are reader options, e.g. --delimiter ';', --header false,\n"
               "--on-error skip or --schema 'a int, b date' for CSV (see docs/cli.md).\n"
               "Parquet takes --where \"col >= 5 AND d < '1998-01-01'\" (comparisons of a column with\n"
               "a number or a 'string', joined by AND; NULL never matches): row groups whose\n"
               "statistics rule out a match are skipped, and --explain true prints on stderr\n"
               "how many row groups were read and skipped.\n"
               "The table shows column names and types, right-aligns numbers, shows NULL for\n"
               "missing values and, for long results, the first and last rows around a \"⋮\".\n"
               "CSV and JSON Lines print every row (see docs/cli.md for value formats).\n",
    .examples = "  tarn cat orders.arrow\n"
                "  tarn cat orders.arrow --columns id,amount --limit 3\n"
                "  tarn cat orders.arrows --format jsonl > orders.jsonl\n"
                "  tarn cat orders.arrow -f csv --max-rows 0\n"
                "  tarn cat lineitem.parquet --where \"l_shipdate >= '1998-01-01' AND l_quantity < 5\"\n",
    .run = run,
};
