/*
 * cmd_parquet.c — `tarn parquet meta|stats FILE`: what a Parquet footer
 * says, for people: the layout of the file (row groups, column chunks,
 * codecs, encodings, sizes, dictionary pages, page index, bloom filters) or
 * the chunk statistics rendered as values of each column's type.
 */
#include <string.h>

#include "cli.h"

static const char *const positionals[] = {"meta|stats", "FILE", NULL};

static const cli_flag flags[] = {
    {0},
};

static int run(cli_args *a)
{
    int what;
    if (strcmp(a->pos[0], "meta") == 0)
        what = TARN_PARQUET_META;
    else if (strcmp(a->pos[0], "stats") == 0)
        what = TARN_PARQUET_STATS;
    else
        return cli_usage(a->cmd, "unknown subcommand '%s' (expected meta or stats)", a->pos[0]);
    tarn_error err;
    tarn_error_init(&err);
    if (tarn_parquet_describe(a->pos[1], stdout, what, &err) != TARN_OK)
        return cli_fail(&err);
    return fflush(stdout) == 0 ? CLI_OK : cli_failf("writing to stdout failed");
}

const cli_command cmd_parquet = {
    .name = "parquet",
    .summary = "inspect a Parquet file: its layout (meta) or its statistics (stats)",
    .positionals = positionals,
    .required = 2,
    .flags = flags,
    .details = "meta prints the file (format version, created by, rows, row groups, key/value\n"
               "metadata keys), then per row group its rows and bytes and per column chunk its\n"
               "path, physical and logical type, codec, encodings, value count, compressed and\n"
               "uncompressed sizes, and where its dictionary page, data pages, column index,\n"
               "offset index and bloom filter are (\"none\" when absent).\n\n"
               "stats prints per column and row group the null count and the min and max of\n"
               "the chunk statistics as values of the column's type: dates as YYYY-MM-DD,\n"
               "timestamps as \"YYYY-MM-DD HH:MM:SS[.frac]\", decimals exactly, strings quoted\n"
               "and escaped, cut after 40 characters with \"...\", other bytes in hex; \"-\" where\n"
               "the writer stored no value, \"no statistics\" where it stored none at all.\n",
    .examples = "  tarn parquet meta orders.parquet\n"
                "  tarn parquet stats orders.parquet\n",
    .run = run,
};
