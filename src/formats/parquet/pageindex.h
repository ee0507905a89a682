/*
 * pageindex.h — the page index of a column chunk (parquet-format
 * PageIndex.md), decoded for the reader's filter: the OffsetIndex gives
 * each data page's place in the file and its first row, the ColumnIndex
 * each page's bounds, so a `where` term can rule pages out and the reader
 * decodes only the pages holding candidate rows.
 */
#ifndef TN_PARQUET_PAGEINDEX_H
#define TN_PARQUET_PAGEINDEX_H

#include "formats/parquet/meta.h"

typedef struct pq_page_loc {
    int64_t offset;        /* of the page header in the file */
    int32_t size;          /* header and compressed body */
    int64_t first_row;     /* within the row group */
} pq_page_loc;

typedef struct pq_page_bounds {
    bool null_page;        /* every value null: min/max meaningless */
    pq_bytes min, max;     /* into the decoded bytes */
    int64_t null_count;    /* -1 when absent */
} pq_page_bounds;

/* OffsetIndex {1: list<PageLocation {1: i64 offset, 2: i32 size, 3: i64
 * first_row_index}>}. *out is tn_alloc'd. Checks that first rows start at 0
 * and increase, offsets increase and sizes are positive. */
int tn_pq_offset_index_decode(const uint8_t *p, size_t n, pq_page_loc **out, int32_t *n_pages,
                              tarn_error *err) TN_MUST_USE;
/* ColumnIndex {1: list<bool> null_pages, 2: list<binary> min_values,
 * 3: list<binary> max_values, 4: boundary_order, 5: list<i64> null_counts}.
 * Bounds point into p, which must outlive *out (tn_alloc'd). */
int tn_pq_column_index_decode(const uint8_t *p, size_t n, pq_page_bounds **out, int32_t *n_pages,
                              tarn_error *err) TN_MUST_USE;

#endif
