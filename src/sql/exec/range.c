/*
 * range.c — the table behind range(start, stop[, step]) and
 * generate_series(...): one int64 column of an arithmetic series, made on
 * the fly in partitions of 64K values (so scans run in parallel), never
 * held in memory. range() excludes stop, generate_series() includes it,
 * as in DuckDB.
 */
#include <string.h>

#include "core/alloc.h"
#include "sql/catalog.h"

#define RANGE_CHUNK 65536

typedef struct range_table {
    tn_table base;
    int64_t start, step, count;
} range_table;

typedef struct range_reader {
    tn_reader base;
    const range_table *t;
    int64_t from, n;      /* values [from, from + n) of the series */
    bool wanted;          /* the column is requested (else rows without columns) */
    bool done;
} range_reader;

static int range_partitions(tn_table *t, const tn_scan_request *req, int64_t *n, tarn_error *err)
{
    (void)req, (void)err;
    range_table *r = (range_table *)t;
    *n = r->count == 0 ? 1 : (r->count + RANGE_CHUNK - 1) / RANGE_CHUNK;
    return TARN_OK;
}

static int range_next(tn_reader *rd, tn_batch **out, tarn_error *err)
{
    range_reader *r = (range_reader *)rd;
    *out = NULL;
    if (r->done || r->n == 0)
        return TARN_OK;
    r->done = true;
    tn_batch *b = tn_batch_new(rd->schema, r->n);
    TN_TRY_ALLOC(b, err, sizeof *b);
    for (int32_t c = 0; c < rd->schema->n_fields; c++) {
        tn_buffer *vals = tn_buffer_new((size_t)r->n * sizeof(int64_t));
        tn_array *a = vals ? tn_array_new(tn_type_ref(tn_type_get(TN_INT64)), r->n, 2, 0) : NULL;
        if (!a) {
            if (vals)
                tn_buffer_unref(vals);
            tn_batch_unref(b);
            return tn_error_oom(err, (size_t)r->n * sizeof(int64_t));
        }
        int64_t *v = (int64_t *)vals->data;
        int64_t x = r->t->start + r->from * r->t->step;
        for (int64_t i = 0; i < r->n; i++, x += r->t->step)
            v[i] = x;
        a->buffers[1] = vals;
        a->null_count = 0;
        b->columns[c] = a;
    }
    *out = b;
    return TARN_OK;
}

static void range_reader_destroy(tn_reader *rd)
{
    tn_free(rd);
}

static int range_open(tn_table *t, const tn_scan_request *req, int64_t part, tn_reader **out, bool *exact,
                      tarn_error *err)
{
    (void)exact;
    range_table *rt = (range_table *)t;
    *out = NULL;
    tn_schema *s = tn_schema_new(req->ncolumns);
    TN_TRY_ALLOC(s, err, sizeof *s);
    for (int32_t i = 0; i < req->ncolumns; i++)
        if (tn_field_copy(&s->fields[i], &t->schema->fields[req->columns[i]], err)) {
            tn_schema_unref(s);
            return TARN_ENOMEM;
        }
    range_reader *r = tn_calloc(1, sizeof *r);
    if (!r) {
        tn_schema_unref(s);
        return tn_error_oom(err, sizeof *r);
    }
    r->base.schema = s;
    r->base.next = range_next;
    r->base.destroy = range_reader_destroy;
    r->t = rt;
    r->from = part * RANGE_CHUNK;
    r->n = rt->count - r->from < RANGE_CHUNK ? rt->count - r->from : RANGE_CHUNK;
    if (r->n < 0)
        r->n = 0;
    *out = &r->base;
    return TARN_OK;
}

static void range_destroy(tn_table *t)
{
    tn_free(t);
}

static const tn_table_ops range_ops = {range_partitions, range_open, NULL, range_destroy};

int tn_table_range_new(const char *column, int64_t start, int64_t stop, int64_t step, bool inclusive, tn_table **out,
                       tarn_error *err)
{
    *out = NULL;
    if (step == 0)
        return tn_error_set(err, TARN_EINVAL, "%s: the step must not be 0", column);
    /* how many values: in 128 bits, so no bound overflows */
    __int128 span = (__int128)stop - start;
    __int128 count = 0;
    if ((step > 0 && span > 0) || (step < 0 && span < 0))
        count = (span + (step > 0 ? step - 1 : step + 1)) / step;
    if (inclusive && ((step > 0 && span >= 0) || (step < 0 && span <= 0)) && span % step == 0)
        count++;
    if (count > ((__int128)1 << 40))
        return tn_error_set(err, TARN_EINVAL, "%s: %lld values are too many", column, (long long)count);
    range_table *r = tn_calloc(1, sizeof *r);
    TN_TRY_ALLOC(r, err, sizeof *r);
    tn_schema *s = tn_schema_new(1);
    char *name = tn_strdup(column);
    if (!s || !name || tn_field_init(&s->fields[0], column, tn_type_ref(tn_type_get(TN_INT64)), false, err)) {
        if (s)
            tn_schema_unref(s);
        tn_free(name);
        tn_free(r);
        return tn_error_oom(err, sizeof *s);
    }
    r->base.refcount = 1;
    r->base.kind = TN_TABLE_CUSTOM;
    r->base.ops = &range_ops;
    r->base.schema = s;
    r->base.est_rows = (double)count;
    r->base.name = name;
    r->start = start;
    r->step = step;
    r->count = (int64_t)count;
    *out = &r->base;
    return TARN_OK;
}
