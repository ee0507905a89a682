/*
 * parquet_fixture.h — the IPC test fixture (ipc_fixture.h) cut to the
 * columns Parquet holds (all but intervals and fixed-size lists), and a
 * helper writing one batch of it as Parquet.
 */
#ifndef TN_PARQUET_FIXTURE_H
#define TN_PARQUET_FIXTURE_H

#include "formats/parquet/parquet.h"
#include "ipc_fixture.h"

/* The fixture's columns that Parquet holds: all but intervals and fixed-size lists. */
static tn_schema *parquet_fixture(void)
{
    tn_schema *all = fx_schema();
    if (!all)
        return NULL;
    int32_t keep = 0;
    tn_schema *s = tn_schema_new(all->n_fields);
    for (int32_t i = 0; s && i < all->n_fields; i++) {
        tn_type_id id = all->fields[i].type->id;
        if (id == TN_INTERVAL_MONTHS || id == TN_INTERVAL_DAY_TIME || id == TN_INTERVAL_MONTH_DAY_NANO ||
            id == TN_FIXED_LIST)
            continue;
        tarn_error err;
        if (tn_field_copy(&s->fields[keep++], &all->fields[i], &err) != 0) {
            tn_schema_unref(s);
            s = NULL;
        }
    }
    if (s)
        s->n_fields = keep;
    tn_schema_unref(all);
    return s;
}

static int write_fixture(const char *path, tn_batch *b, const tn_parquet_write_options *o, tarn_error *err)
{
    tn_reader *in = tn_reader_from_batches(b->schema, &b, 1);
    TN_TRY_ALLOC(in, err, 64);
    int rc = tn_parquet_write_file(path, in, o, err);
    tn_reader_free(in);
    return rc;
}

#endif
