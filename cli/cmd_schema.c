/*
 * cmd_schema.c — `tarn schema FILE`: the columns of a file and their types,
 * one per line ("name: type", "not null" where the column has no nulls by
 * declaration).
 */
#include "cli.h"

static const char *const positionals[] = {"FILE", NULL};

static const cli_flag flags[] = {
    {"from", 0, "FORMAT", "input format when the extension does not tell it"},
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
    int rc = TARN_OK;
    /* other --key value flags are reader options, as for cat (--types, --delimiter ';') */
    for (int i = 0; rc == TARN_OK && tarn_options_key_at(a->extra, i); i++)
        rc = tarn_options_set(opts, tarn_options_key_at(a->extra, i), tarn_options_value_at(a->extra, i), &err);
    if (rc == TARN_OK)
        rc = cli_copy_option(a, "from", opts, "format", &err);
    if (rc == TARN_OK)
        rc = tarn_read(a->pos[0], opts, &stream, &err);
    tarn_options_free(opts);
    if (rc != TARN_OK)
        return cli_fail(&err);
    struct ArrowSchema schema = {0};
    char *text = NULL;
    int status = CLI_OK;
    if (stream.get_schema(&stream, &schema) != 0)
        status = cli_failf("%s: %s", a->pos[0], stream.get_last_error(&stream));
    else if (tarn_schema_format(&schema, &text, &err) != TARN_OK)
        status = cli_fail(&err);
    else
        fputs(text, stdout);
    tarn_free(text);
    if (schema.release)
        schema.release(&schema);
    stream.release(&stream);
    return status;
}

const cli_command cmd_schema = {
    .name = "schema",
    .summary = "print the columns of a file and their types",
    .positionals = positionals,
    .required = 1,
    .flags = flags,
    .pass_options = true,
    .details = "Other --key value flags are reader options, as for cat: the schema is the one\n"
               "those options read (--types 'a int64', --delimiter ';', --header false).\n",
    .examples = "  tarn schema orders.arrow\n"
                "  tarn schema events.csv --types 'id int64, at timestamp'\n",
    .run = run,
};
