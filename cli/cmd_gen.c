/*
 * cmd_gen.c — `tarn gen tpch --sf N --out DIR`: generate the TPC-H tables
 * (tarn/gen.h) as one file per table, or K files per table in a folder each.
 * Flags the command does not know are handed to the format's writer
 * (--compression zstd for ipc).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const positionals[] = {"DATASET", NULL};

static const cli_flag flags[] = {
    {"sf", 's', "N", "scale factor: 1 is about 1 GB of text; fractions such as 0.01 for tests"},
    {"out", 'o', "DIR", "output directory, created if missing"},
    {"format", 'f', "FORMAT", "ipc (default), ipc_stream, csv, jsonl, tbl (pipe-delimited, as dbgen) or parquet"},
    {"files-per-table", 0, "K", "write DIR/TABLE/part-I.EXT, K files per table"},
    {"batch-rows", 0, "N", "rows per record batch (default 65536)"},
    {"quiet", 'q', NULL, "no progress line"},
    {0},
};

static int run(cli_args *a)
{
    if (strcmp(a->pos[0], "tpch") != 0)
        return cli_usage(a->cmd, "unknown dataset '%s' (known: tpch)", a->pos[0]);
    const char *sf_text = cli_get(a, "sf"), *out = cli_get(a, "out");
    if (!out)
        return cli_usage(a->cmd, "--out DIR is required");
    double sf = 1;
    if (sf_text) {
        char *end;
        sf = strtod(sf_text, &end);
        if (end == sf_text || *end || !(sf > 0))
            return cli_usage(a->cmd, "--sf expects a positive number, got '%s'", sf_text);
    }
    long long files, batch;
    if (cli_get_count(a, "files-per-table", 1, &files) != CLI_OK ||
        cli_get_count(a, "batch-rows", 0, &batch) != CLI_OK)
        return CLI_USAGE;
    if (files < 1 || files > 100000)
        return cli_usage(a->cmd, "--files-per-table expects 1 to 100000, got %lld", files);
    tarn_gen_options o = {
        .format = cli_get(a, "format"),
        .files_per_table = (int)files,
        .batch_rows = batch,
        .write_options = a->extra,
        .progress = !cli_flag_set(a, "quiet"),
    };
    tarn_error err;
    tarn_error_init(&err);
    return tarn_gen_tpch(out, sf, &o, &err) == TARN_OK ? CLI_OK : cli_fail(&err);
}

const cli_command cmd_gen = {
    .name = "gen",
    .summary = "generate a benchmark dataset (TPC-H)",
    .positionals = positionals,
    .required = 1,
    .flags = flags,
    .pass_options = true,
    .details = "Writes the eight TPC-H tables (part, supplier, partsupp, customer, orders,\n"
               "lineitem, nation, region) following the specification's population rules.\n"
               "The data is the same for a scale factor whatever the threads or file split.\n"
               "Other --key value flags are writer options, e.g. --compression zstd for ipc.\n",
    .examples = "  tarn gen tpch --sf 1 --out tpch-sf1\n"
                "  tarn gen tpch --sf 0.01 --out small --format csv\n"
                "  tarn gen tpch --sf 10 --out big --files-per-table 8 --compression zstd\n",
    .run = run,
};
