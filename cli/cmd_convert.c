/*
 * cmd_convert.c — `tarn convert IN OUT`: read a file and write it in another
 * format (from OUT's extension or --to). The output appears complete or not
 * at all. Flags the command does not know are handed to the writer as
 * options (--delimiter ';' for CSV), which rejects keys it does not take.
 */
#include "cli.h"

static const char *const positionals[] = {"IN", "OUT", NULL};

static const cli_flag flags[] = {
    {"to", 't', "FORMAT", "output format when OUT's extension does not tell it"},
    {"from", 0, "FORMAT", "input format when IN's extension does not tell it"},
    {"compression", 0, "CODEC", "ipc: zstd, lz4 or none, optionally with :LEVEL (zstd:9)"},
    {"columns", 'c', "A,B", "only these columns, in this order"},
    {"limit", 'n', "N", "only the first N rows"},
    {0},
};

static int run(cli_args *a)
{
    long long v;
    if (cli_get_count(a, "limit", 0, &v) != CLI_OK)
        return CLI_USAGE;
    tarn_error err;
    tarn_error_init(&err);
    tarn_options *ropts = tarn_options_create(), *wopts = a->extra ? a->extra : tarn_options_create();
    a->extra = NULL; /* wopts owns it now */
    if (!ropts || !wopts) {
        tarn_options_free(ropts);
        tarn_options_free(wopts);
        return cli_failf("out of memory");
    }
    struct ArrowArrayStream stream = {0};
    int rc = cli_copy_option(a, "columns", ropts, "columns", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "limit", ropts, "limit", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "from", ropts, "format", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "to", wopts, "format", &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "compression", wopts, "compression", &err);
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
    .details = "Formats come from the extensions: .arrow .feather .ipc (ipc), .arrows\n"
               "(ipc_stream), .csv (csv), .jsonl .ndjson (jsonl). Other --key value flags are\n"
               "writer options, e.g. --delimiter ';' or --header false for CSV.\n",
    .examples = "  tarn convert orders.arrow orders.arrows --compression zstd\n"
                "  tarn convert orders.arrow orders.csv --columns id,amount\n"
                "  tarn convert orders.arrow out.txt --to jsonl\n",
    .run = run,
};
