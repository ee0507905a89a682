/*
 * cmd_convert.c — `tarn convert IN OUT`: read a file and write it in another
 * format (from OUT's extension or --to). The output appears complete or not
 * at all. Flags the command does not know are format options: each goes
 * to the side that takes it — the reader of IN or the writer of OUT, the
 * writer when both do — and --in-KEY / --out-KEY pick a side explicitly
 * (--in-compression gzip --compression zstd). A key neither side takes is
 * an error naming it.
 */
#include <string.h>

#include "cli.h"

static const char *const positionals[] = {"IN", "OUT", NULL};

static const cli_flag flags[] = {
    {"to", 't', "FORMAT", "output format when OUT's extension does not tell it"},
    {"from", 0, "FORMAT", "input format when IN's extension does not tell it"},
    {"compression", 0, "CODEC", "ipc: zstd, lz4 or none, optionally with :LEVEL (zstd:9)"},
    {"columns", 'c', "A,B", "only these columns, in this order"},
    {"limit", 'n', "N", "only the first N rows"},
    {"data-page-v2", 0, NULL, "parquet: write data pages v2 (same as --data-page-version 2)"},
    {0},
};

static int run(cli_args *a)
{
    long long v;
    if (cli_get_count(a, "limit", 0, &v) != CLI_OK)
        return CLI_USAGE;
    tarn_error err;
    tarn_error_init(&err);
    tarn_options *ropts = tarn_options_create(), *wopts = tarn_options_create();
    if (!ropts || !wopts) {
        tarn_options_free(ropts);
        tarn_options_free(wopts);
        return cli_failf("out of memory");
    }
    struct ArrowArrayStream stream = {0};
    const char *in_fmt = cli_get(a, "from") ? cli_get(a, "from") : a->pos[0];
    const char *out_fmt = cli_get(a, "to") ? cli_get(a, "to") : a->pos[1];
    int rc = TARN_OK;
    for (int i = 0; rc == TARN_OK && tarn_options_key_at(a->extra, i); i++) {
        const char *key = tarn_options_key_at(a->extra, i), *value = tarn_options_value_at(a->extra, i);
        tarn_options *side;
        if (!strncmp(key, "in-", 3) || !strncmp(key, "in_", 3))
            side = ropts, key += 3;
        else if (!strncmp(key, "out-", 4) || !strncmp(key, "out_", 4))
            side = wopts, key += 4;
        else
            side = tarn_format_takes(out_fmt, key, 1) == 1 || tarn_format_takes(in_fmt, key, 0) != 1 ? wopts : ropts;
        rc = tarn_options_set(side, key, value, &err);
    }
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "columns", ropts, "columns", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "limit", ropts, "limit", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "from", ropts, "format", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "to", wopts, "format", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "compression", wopts, "compression", &err);
    if (rc == TARN_OK && cli_get(a, "data-page-v2"))
        rc = tarn_options_set(wopts, "data_page_version", "2", &err);
    if (rc == TARN_OK)
        rc = tarn_read(a->pos[0], ropts, &stream, &err);
    if (rc == TARN_OK)
        rc = tarn_write(a->pos[1], &stream, wopts, &err);
    tarn_options_free(ropts);
    tarn_options_free(wopts);
    return rc == TARN_OK ? CLI_OK : cli_fail(&err);
}

const cli_command cmd_convert = {
    .name = "convert",
    .summary = "convert a file to another format",
    .positionals = positionals,
    .required = 2,
    .flags = flags,
    .pass_options = true,
    .details = "Formats come from the extensions: .parquet .pq (parquet), .arrow .feather .ipc\n"
               "(ipc), .arrows (ipc_stream), .csv (csv), .jsonl .ndjson .json (jsonl).\n"
               "Other --key value flags are format options and go to the side that takes them:\n"
               "the reader of IN (e.g. --delimiter '|' --header false for CSV input) or the\n"
               "writer of OUT (e.g. --compression zstd:3 --row-group-size 128MB for Parquet),\n"
               "the writer when both do; --in-KEY and --out-KEY choose a side explicitly.\n",
    .examples = "  tarn convert orders.arrow orders.arrows --compression zstd\n"
                "  tarn convert lineitem.tbl lineitem.parquet --from csv --delimiter '|' --header false\n"
                "  tarn convert events.csv.gz events.parquet --from csv --in-compression gzip --compression zstd\n"
                "  tarn convert orders.arrow orders.csv --columns id,amount\n"
                "  tarn convert orders.arrow out.txt --to jsonl\n",
    .run = run,
};
