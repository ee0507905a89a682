/*
 * table_stats.c — what the optimizer may know about a table over Parquet
 * files before reading it: the row count the footers declare and, per
 * column, an estimate of its distinct values. Join ordering sizes joins
 * with them (rule_join_order.c).
 *
 * Distinct values of an integer-like column (INT32/INT64 physical types:
 * ints, dates, times, timestamps): the footer's distinct_count when a
 * writer gave one, else the width of the [min, max] range over the row
 * groups' statistics, capped by the row count. Key columns of generated
 * and most real data are dense, so the range is a fair bound (TPC-H:
 * l_suppkey 1..10000 over 6M rows gives 10000). Other columns stay
 * unknown (< 0). Only the first file's footer is read; other files of a
 * glob are assumed alike. Stats are a hint: any failure leaves them
 * unknown and is not an error.
 */
#include <string.h>

#include "core/alloc.h"
#include "formats/parquet/meta.h"
#include "formats/parquet/parquet.h"
#include "formats/remote.h"
#include "sql/catalog.h"

static bool int_of(const pq_bytes *b, int32_t type, int64_t *out)
{
    if (!b->p)
        return false;
    if (type == PQ_INT32 && b->n == 4) {
        int32_t v;
        memcpy(&v, b->p, 4);
        *out = v;
        return true;
    }
    if (type == PQ_INT64 && b->n == 8) {
        memcpy(out, b->p, 8);
        return true;
    }
    return false;
}

/* Distinct values of leaf column c over every row group, < 0 when unknown. */
static double column_ndv(const pq_file_meta *m, int32_t c, double rows)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    double distinct = -1;
    for (int32_t g = 0; g < m->n_row_groups; g++) {
        const pq_row_group *rg = &m->row_groups[g];
        if (c >= rg->n_columns || !rg->columns[c].has_meta)
            return -1;
        const pq_column_meta *cm = &rg->columns[c].meta;
        if (!cm->has_stats)
            return -1;
        if (cm->stats.distinct_count >= 0 && m->n_row_groups == 1)
            distinct = (double)cm->stats.distinct_count;
        int64_t a, b;
        if (cm->stats.legacy || !int_of(&cm->stats.min, cm->type, &a) || !int_of(&cm->stats.max, cm->type, &b)) {
            if (distinct >= 0)
                continue;
            return -1;
        }
        lo = a < lo ? a : lo;
        hi = b > hi ? b : hi;
    }
    if (distinct < 0 && lo <= hi)
        distinct = (double)hi - (double)lo + 1;
    if (distinct < 0)
        return -1;
    if (distinct > rows)
        distinct = rows;
    return distinct < 1 ? 1 : distinct;
}

void tn_table_parquet_stats(tn_table *t, char *const *paths, int64_t npaths)
{
    if (npaths <= 0 || tn_remote_url(paths[0]))
        return;
    tn_reader *rd = NULL;
    tarn_error err;
    memset(&err, 0, sizeof err);
    if (tn_parquet_open_file(paths[0], NULL, &rd, &err) != TARN_OK)
        return;
    const pq_file_meta *m = tn_parquet_reader_meta(rd);
    double rows = (double)m->num_rows * (double)npaths;
    t->est_rows = rows;
    /* flat files only: leaf column i is field i */
    int32_t nf = t->schema->n_fields;
    bool flat = m->n_row_groups > 0 && m->row_groups[0].n_columns == nf;
    for (int32_t i = 0; flat && i < nf; i++)
        flat = !tn_type_is_nested(t->schema->fields[i].type->id);
    double *ndv = flat ? tn_malloc((size_t)(nf ? nf : 1) * sizeof *ndv) : NULL;
    if (ndv) {
        for (int32_t i = 0; i < nf; i++)
            ndv[i] = column_ndv(m, i, rows);
        tn_free(t->col_ndv);
        t->col_ndv = ndv;
    }
    tn_reader_free(rd);
}
