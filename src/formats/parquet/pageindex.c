/*
 * pageindex.c — OffsetIndex and ColumnIndex decoding (pageindex.h), with
 * every count bounded by the bytes left (thrift.c) and the page locations
 * checked for order, so a hostile index ends in TARN_ECORRUPT.
 */
#include <string.h>

#include "core/alloc.h"
#include "formats/parquet/pageindex.h"
#include "formats/parquet/thrift.h"

static int page_location(tn_th_reader *r, pq_page_loc *loc)
{
    int16_t last;
    bool has[3] = {false, false, false};
    TN_TRY(tn_th_struct_begin(r, &last));
    for (;;) {
        int type;
        int16_t id;
        TN_TRY(tn_th_field(r, &last, &type, &id));
        if (type == TN_TH_STOP)
            break;
        switch (id) {
        case 1: TN_TRY(tn_th_i64(r, type, &loc->offset)); has[0] = true; break;
        case 2: TN_TRY(tn_th_i32(r, type, &loc->size)); has[1] = true; break;
        case 3: TN_TRY(tn_th_i64(r, type, &loc->first_row)); has[2] = true; break;
        default: TN_TRY(tn_th_skip(r, type)); break;
        }
    }
    tn_th_struct_end(r);
    if (!has[0] || !has[1] || !has[2])
        return TN_CORRUPT(r->err, "offset index: a page location lacks a field");
    return 0;
}

int tn_pq_offset_index_decode(const uint8_t *p, size_t n, pq_page_loc **out, int32_t *n_pages, tarn_error *err)
{
    *out = NULL;
    *n_pages = 0;
    tn_th_reader r;
    tn_th_reader_init(&r, p, n, "offset index", err);
    int16_t last;
    pq_page_loc *locs = NULL;
    int32_t k = 0;
    int rc = tn_th_struct_begin(&r, &last);
    while (!rc) {
        int type, et;
        int16_t id;
        if ((rc = tn_th_field(&r, &last, &type, &id)) || type == TN_TH_STOP)
            break;
        if (id != 1 || type != TN_TH_LIST || locs) {
            rc = tn_th_skip(&r, type);
            continue;
        }
        if ((rc = tn_th_list_begin(&r, type, &et, &k)))
            break;
        if (et != TN_TH_STRUCT) {
            rc = TN_CORRUPT(err, "offset index: page locations of element type %d", et);
            break;
        }
        locs = tn_calloc((size_t)k + 1, sizeof *locs);
        if (!locs) {
            rc = tn_error_oom(err, (size_t)k * sizeof *locs);
            break;
        }
        for (int32_t i = 0; !rc && i < k; i++)
            rc = page_location(&r, &locs[i]);
        if (!rc)
            tn_th_list_end(&r);
    }
    if (!rc)
        tn_th_struct_end(&r);
    for (int32_t i = 0; !rc && i < k; i++) {
        const pq_page_loc *l = &locs[i];
        if (l->size <= 0 || l->offset < 0 || (i == 0 ? l->first_row != 0 : l->first_row <= l[-1].first_row) ||
            (i > 0 && l->offset < l[-1].offset + l[-1].size))
            rc = TN_CORRUPT(err, "offset index: page %d at %lld (%d bytes, first row %lld) out of order", i,
                            (long long)l->offset, l->size, (long long)l->first_row);
    }
    if (!rc && !locs)
        rc = TN_CORRUPT(err, "offset index without page locations");
    if (rc) {
        tn_free(locs);
        return rc;
    }
    *out = locs;
    *n_pages = k;
    return 0;
}

/* A list<binary> into the min or max of each page. */
static int bounds_list(tn_th_reader *r, int type, pq_page_bounds *b, int32_t k, bool is_max)
{
    int et;
    int32_t m;
    TN_TRY(tn_th_list_begin(r, type, &et, &m));
    if (m != k || et != TN_TH_BINARY)
        return TN_CORRUPT(r->err, "column index: %d bounds of type %d for %d pages", m, et, k);
    for (int32_t i = 0; i < m; i++) {
        pq_bytes *x = is_max ? &b[i].max : &b[i].min;
        TN_TRY(tn_th_binary(r, TN_TH_BINARY, &x->p, &x->n));
    }
    tn_th_list_end(r);
    return 0;
}

int tn_pq_column_index_decode(const uint8_t *p, size_t n, pq_page_bounds **out, int32_t *n_pages, tarn_error *err)
{
    *out = NULL;
    *n_pages = 0;
    tn_th_reader r;
    tn_th_reader_init(&r, p, n, "column index", err);
    int16_t last;
    pq_page_bounds *b = NULL;
    int32_t k = -1;
    bool seen[6] = {false};
    int rc = tn_th_struct_begin(&r, &last);
    while (!rc) {
        int type, et;
        int16_t id;
        if ((rc = tn_th_field(&r, &last, &type, &id)) || type == TN_TH_STOP)
            break;
        if (id < 1 || id > 5 || id == 4 || seen[id]) {
            rc = tn_th_skip(&r, type);
            continue;
        }
        seen[id] = true;
        if (id == 1) {
            if ((rc = tn_th_list_begin(&r, type, &et, &k)))
                break;
            if (et != TN_TH_TRUE && et != TN_TH_FALSE) {
                rc = TN_CORRUPT(err, "column index: null_pages of element type %d", et);
                break;
            }
            b = tn_calloc((size_t)k + 1, sizeof *b);
            if (!b) {
                rc = tn_error_oom(err, (size_t)k * sizeof *b);
                break;
            }
            for (int32_t i = 0; i < k; i++) {
                b[i].null_count = -1;
                if (r.p >= r.end) {
                    rc = TN_CORRUPT(err, "column index: null_pages past the end");
                    break;
                }
                b[i].null_page = *r.p++ == TN_TH_TRUE; /* a list's bools are one byte each */
            }
            if (!rc)
                tn_th_list_end(&r);
        } else if (!b) {
            rc = TN_CORRUPT(err, "column index: field %d before null_pages", id);
        } else if (id == 2 || id == 3) {
            rc = bounds_list(&r, type, b, k, id == 3);
        } else { /* 5: null_counts */
            int32_t m;
            if ((rc = tn_th_list_begin(&r, type, &et, &m)))
                break;
            if (m != k || et != TN_TH_I64) {
                rc = TN_CORRUPT(err, "column index: %d null counts for %d pages", m, k);
                break;
            }
            for (int32_t i = 0; !rc && i < m; i++)
                rc = tn_th_i64(&r, TN_TH_I64, &b[i].null_count);
            if (!rc)
                tn_th_list_end(&r);
        }
    }
    if (!rc)
        tn_th_struct_end(&r);
    if (!rc && (!seen[1] || !seen[2] || !seen[3]))
        rc = TN_CORRUPT(err, "column index lacks null_pages, min_values or max_values");
    if (rc) {
        tn_free(b);
        return rc;
    }
    *out = b;
    *n_pages = k;
    return 0;
}
