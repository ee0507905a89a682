/*
 * reader.c — tn_parquet_open_file: a tn_reader over a Parquet file.
 *
 * Opening reads the footer (the last 8 bytes give its length and the
 * magic), decodes the metadata (meta.c) and builds the schema tree
 * (schema.c). Each row group is then decoded column chunk by column chunk
 * (column.c) and assembled into one batch (assemble.c), which next() hands
 * out in slices of batch_size rows. Projection (top-level names or dotted
 * paths into structs) decodes only the chunks under the chosen nodes;
 * offset and limit skip whole row groups without decoding them, stop
 * decoding a row group's pages past the limit, and slice the rest. Memory therefore grows with the selected columns of one row
 * group, not with the file.
 *
 * A filter (filter.h) skips row groups by their statistics, then by bloom
 * filters (bloom.h), then narrows the rows by the page index (pageindex.h):
 * single-leaf columns decode only the pages holding candidate rows, and
 * every column is cut to them before the rows are filtered. Columns stored
 * with an ARROW:schema type get it back (arrow_schema.h).
 *
 * Unless the reader is serial, row groups are read ahead as tasks on the
 * pool, filtered or not, each with its own candidate rows and counts
 * (docs/internals/parquet.md, Parallel decode).
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/pool.h"
#include "formats/parquet/arrow_schema.h"
#include "formats/parquet/assemble.h"
#include "formats/parquet/bloom.h"
#include "formats/parquet/pageindex.h"
#include "formats/parquet/filter.h"
#include "formats/parquet/parquet.h"
#include "formats/remote.h"

#define DEFAULT_BATCH 65536

/* Rows of a row group as sorted, disjoint intervals [iv[2k], iv[2k+1]). */
typedef struct rowset {
    int64_t *iv;
    int32_t n, cap;
} rowset;

/* The counts of tn_parquet_scan_stats (bytes aside). A row group read
 * ahead counts into its own, added to the reader's when it is handed out,
 * so the totals are those of a serial read. */
typedef struct scan_counts {
    int32_t rg_read, rg_pruned, rg_bloom; /* row groups read, skipped by statistics, by bloom filters */
    int32_t rg_pages;                     /* row groups whose every page the page index ruled out */
    int64_t pages_read, pages_skipped;    /* data pages decoded, skipped by the page index */
    int64_t rows_filtered;                /* candidate rows the filter's terms dropped */
    int64_t pages_late, values_late;      /* pages and rows of output columns not decoded for them */
} scan_counts;

static void counts_add(scan_counts *a, const scan_counts *b)
{
    a->rg_read += b->rg_read;
    a->rg_pruned += b->rg_pruned;
    a->rg_bloom += b->rg_bloom;
    a->rg_pages += b->rg_pages;
    a->pages_read += b->pages_read;
    a->pages_skipped += b->pages_skipped;
    a->rows_filtered += b->rows_filtered;
    a->pages_late += b->pages_late;
    a->values_late += b->values_late;
}

/* The batches a row group is read in after the first, when its strings
 * do not fit one array with 32-bit offsets (read_parts). */
typedef struct batch_list {
    tn_batch **b;
    int32_t n, cap;
} batch_list;

static void bl_free(batch_list *l)
{
    for (int32_t i = 0; i < l->n; i++)
        tn_batch_unref(l->b[i]);
    tn_free(l->b);
    *l = (batch_list){0};
}

/* Row groups read ahead on the pool: each slot is one row group, pruned
 * and decoded by a task, or by the calling thread when it gets there
 * first (claimed says who). */
#define MAX_AHEAD 3
typedef struct pq_reader pq_reader;
typedef struct ahead {
    pq_reader *r;
    int32_t g;               /* the file's row group */
    atomic_int claimed, done;
    int rc;
    tarn_error err;
    tn_batch *out;           /* NULL when the filter skipped the group */
    batch_list more;         /* the group's other parts */
    scan_counts n;
    tn_taskgroup *tg;
} ahead;
struct pq_reader {
    tn_reader base;
    int fd;                  /* -1 for memory input */
    const uint8_t *mem;
    tn_parquet_source src;   /* src.read_at set: bytes come from it (a remote object) */
    int64_t size;
    int64_t data_end;        /* where the footer starts */
    char *name;
    pq_file_meta *meta;
    pq_schema *schema;
    int32_t n_sel;
    const pq_node **sel;     /* nodes to read, in output order: top-level columns or struct fields */
    tn_type **restore;       /* per selected column: the ARROW:schema type its arrays are turned
                                into, or NULL to keep the type read from the Parquet schema */
    int32_t rg;              /* next row group (with `groups`: next index into it) */
    int32_t *groups;         /* the row groups to read, ascending; NULL: every one */
    int32_t n_groups;        /* entries of groups, or the file's row groups */
    pq_reader *owner;        /* the reader whose footer, schema and file this one borrows */
    tn_batch *cur;           /* the current row group (or its first part) */
    batch_list parts;        /* its other parts, handed out from part_i on */
    int32_t part_i;
    int64_t cur_pos;
    int64_t batch_size;
    int64_t skip;            /* rows still to skip (offset) */
    int64_t left;            /* rows still to return; < 0: no limit */
    int64_t chunk_pad;       /* bytes old writers left out of chunk sizes */
    bool verify_crc;
    pq_filter *filter;       /* where: NULL when none */
    bool explain;
    int64_t bytes_read;      /* bytes read from the file (footer and index reads included) */
    bool late;               /* late materialization (decode other columns for matching rows only) */
    scan_counts n;           /* of the row groups handed out */
    bool serial;             /* decode on the calling thread only */
    bool disjoint;           /* no two selected columns share a leaf (their chunks decode in parallel) */
    ahead pf[MAX_AHEAD];     /* the next row groups, read ahead: pf_n from pf_head on (a ring) */
    int32_t pf_head, pf_n;
};

/* parquet-mr before 1.2.9 wrote column chunk sizes that leave out the
 * dictionary page header (PARQUET-816); such chunks are read with up to
 * 100 bytes more, as Arrow C++ does. */
static int64_t chunk_padding(const char *created_by)
{
    if (!created_by || strncmp(created_by, "parquet-mr", 10) != 0)
        return 0;
    const char *v = strstr(created_by, "version ");
    int a = 0, b = 0, c = 0;
    if (!v || sscanf(v + 8, "%d.%d.%d", &a, &b, &c) < 1)
        return 100;
    return (a < 1 || (a == 1 && (b < 2 || (b == 2 && c < 9)))) ? 100 : 0;
}

static int read_at(pq_reader *r, int64_t off, size_t n, uint8_t *dst, tarn_error *err)
{
    if (off < 0 || off > r->size || (int64_t)n > r->size - off)
        return TN_CORRUPT(err, "%s: read of %zu bytes at offset %lld past the end of the file", r->name, n,
                          (long long)off);
    __atomic_fetch_add(&r->bytes_read, (int64_t)n, __ATOMIC_RELAXED); /* column tasks read at once */
    if (r->mem) {
        memcpy(dst, r->mem + off, n);
        return 0;
    }
    if (r->src.read_at)
        return r->src.read_at(r->src.ctx, off, n, dst, err);
    size_t done = 0;
    while (done < n) {
        ssize_t got = pread(r->fd, dst + done, n - done, (off_t)(off + (int64_t)done));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return tn_error_set(err, TARN_EIO, "%s: read failed at offset %lld: %s", r->name,
                                (long long)(off + (int64_t)done), got < 0 ? strerror(errno) : "unexpected end of file");
        done += (size_t)got;
    }
    return 0;
}

static int unsupported_encrypted(pq_reader *r, tarn_error *err)
{
    return tn_error_set(err, TARN_EUNSUPPORTED, "%s: encrypted Parquet is not supported", r->name);
}

static int read_footer(pq_reader *r, tarn_error *err)
{
    if (r->size < 12)
        return TN_CORRUPT(err, "%s: not a Parquet file (%lld bytes)", r->name, (long long)r->size);
    uint8_t tail[8], head[4];
    TN_TRY(read_at(r, r->size - 8, 8, tail, err));
    TN_TRY(read_at(r, 0, 4, head, err));
    if (memcmp(tail + 4, "PARE", 4) == 0)
        return unsupported_encrypted(r, err);
    if (memcmp(tail + 4, "PAR1", 4) != 0 || memcmp(head, "PAR1", 4) != 0)
        return TN_CORRUPT(err, "%s: not a Parquet file (no PAR1 magic)", r->name);
    uint32_t len = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 | (uint32_t)tail[3] << 24;
    if ((int64_t)len > r->size - 12)
        return TN_CORRUPT(err, "%s: footer length %u larger than the file", r->name, len);
    r->data_end = r->size - 8 - len;
    uint8_t *footer = tn_malloc(len + 1);
    TN_TRY_ALLOC(footer, err, len);
    int rc = read_at(r, r->data_end, len, footer, err);
    if (rc) {
        tn_free(footer);
        return rc;
    }
    rc = tn_pq_meta_decode(footer, len, &r->meta, err);
    if (rc) {
        if (rc != TARN_ENOMEM && rc != TARN_EMEMLIMIT)
            tn_error_prefix(err, "%s: ", r->name);
        return rc;
    }
    if (r->meta->encrypted)
        return unsupported_encrypted(r, err);
    if (r->meta->num_rows < 0)
        return TN_CORRUPT(err, "%s: negative row count", r->name);
    return 0;
}

/* Check the row groups against the schema before any data is read. */
static int check_row_groups(pq_reader *r, tarn_error *err)
{
    for (int32_t g = 0; g < r->meta->n_row_groups; g++) {
        const pq_row_group *rg = &r->meta->row_groups[g];
        if (rg->num_rows < 0)
            return TN_CORRUPT(err, "%s: row group %d has %lld rows", r->name, g, (long long)rg->num_rows);
        for (int32_t i = 0; i < rg->n_columns; i++)
            if (rg->columns[i].encrypted)
                return unsupported_encrypted(r, err);
        if (rg->n_columns != r->schema->n_leaves)
            return TN_CORRUPT(err, "%s: row group %d has %d column chunks for %d leaf columns", r->name, g,
                              rg->n_columns, r->schema->n_leaves);
        for (int32_t i = 0; i < rg->n_columns; i++) {
            const pq_column_chunk *cc = &rg->columns[i];
            const pq_node *leaf = r->schema->leaves[i];
            if (!cc->has_meta)
                return TN_CORRUPT(err, "%s: row group %d column \"%s\" has no metadata", r->name, g, leaf->name);
            if (cc->file_path)
                return tn_error_set(err, TARN_EUNSUPPORTED, "%s: column chunk in another file (%s) is not supported",
                                    r->name, cc->file_path);
            if (cc->meta.type != leaf->elt->type)
                return TN_CORRUPT(err, "%s: row group %d column \"%s\" has physical type %d, the schema %d", r->name,
                                  g, leaf->name, cc->meta.type, leaf->elt->type);
        }
    }
    return 0;
}

static int32_t count_leaves(const pq_node *n)
{
    if (n->kind == PQN_LEAF)
        return 1;
    int32_t k = 0;
    for (int32_t i = 0; i < n->n_children; i++)
        k += count_leaves(n->children[i]);
    return k;
}

static int read_chunk(pq_reader *r, int32_t g, int32_t leaf, int64_t max_rows, const pq_rows_sel *sel,
                      pq_skip_stats *st, pq_chunk_data *out, tarn_error *err)
{
    const pq_column_chunk *cc = &r->meta->row_groups[g].columns[leaf];
    const pq_column_meta *m = &cc->meta;
    const pq_node *node = r->schema->leaves[leaf];
    int64_t start = m->data_page_offset;
    if (m->dictionary_page_offset > 0 && m->dictionary_page_offset < start)
        start = m->dictionary_page_offset;
    int64_t len = m->total_compressed_size;
    if (r->chunk_pad && len >= 0 && start >= 0 && start <= r->data_end)
        len = len + r->chunk_pad < r->data_end - start ? len + r->chunk_pad : r->data_end - start;
    if (start < 4 || len < 0 || start > r->data_end || len > r->data_end - start)
        return TN_CORRUPT(err, "%s: row group %d column \"%s\": chunk [%lld, +%lld) outside the data", r->name, g,
                          node->name, (long long)start, (long long)len);
    if (m->num_values < 0)
        return TN_CORRUPT(err, "%s: row group %d column \"%s\": %lld values", r->name, g, node->name,
                          (long long)m->num_values);
    uint8_t *buf = r->mem ? NULL : tn_malloc((size_t)len + 1);
    if (!r->mem && !buf)
        return tn_error_oom(err, (size_t)len);
    int rc = r->mem ? 0 : read_at(r, start, (size_t)len, buf, err);
    if (!rc)
        rc = sel ? tn_pq_read_chunk_rows(node, m, r->mem ? r->mem + start : buf, (size_t)len, node->name,
                                         r->verify_crc, sel, st, out, err)
                 : tn_pq_read_chunk(node, m, r->mem ? r->mem + start : buf, (size_t)len, node->name, r->verify_crc,
                                    max_rows, out, err);
    tn_free(buf);
    if (rc && rc != TARN_ENOMEM && rc != TARN_EMEMLIMIT)
        tn_error_prefix(err, "%s: row group %d: ", r->name, g);
    return rc;
}

/* --- row sets -------------------------------------------------------------- */

static inline int rs_add(rowset *s, int64_t a, int64_t b, tarn_error *err)
{
    if (a >= b)
        return 0;
    if (s->n > 0 && s->iv[2 * s->n - 1] >= a) { /* touches the last interval: extend it */
        if (b > s->iv[2 * s->n - 1])
            s->iv[2 * s->n - 1] = b;
        return 0;
    }
    if (s->n == s->cap) {
        int32_t cap = s->cap ? s->cap * 2 : 8;
        int64_t *iv = tn_realloc(s->iv, (size_t)cap * 2 * sizeof *iv);
        TN_TRY_ALLOC(iv, err, (size_t)cap * 16);
        s->iv = iv;
        s->cap = cap;
    }
    s->iv[2 * s->n] = a;
    s->iv[2 * s->n + 1] = b;
    s->n++;
    return 0;
}

static int64_t rs_count(const rowset *s)
{
    int64_t k = 0;
    for (int32_t i = 0; i < s->n; i++)
        k += s->iv[2 * i + 1] - s->iv[2 * i];
    return k;
}

/* a := a ∩ b (both sorted). */
static int rs_intersect(rowset *a, const rowset *b, tarn_error *err)
{
    rowset out = {0};
    int rc = 0;
    for (int32_t i = 0, j = 0; !rc && i < a->n && j < b->n;) {
        int64_t lo = a->iv[2 * i] > b->iv[2 * j] ? a->iv[2 * i] : b->iv[2 * j];
        int64_t hi = a->iv[2 * i + 1] < b->iv[2 * j + 1] ? a->iv[2 * i + 1] : b->iv[2 * j + 1];
        rc = rs_add(&out, lo, hi, err);
        if (a->iv[2 * i + 1] < b->iv[2 * j + 1])
            i++;
        else
            j++;
    }
    tn_free(a->iv);
    *a = out;
    if (rc) {
        tn_free(out.iv);
        memset(a, 0, sizeof *a);
    }
    return rc;
}

static bool rs_overlaps(const rowset *s, int64_t a, int64_t b)
{
    for (int32_t i = 0; i < s->n; i++)
        if (s->iv[2 * i] < b && a < s->iv[2 * i + 1])
            return true;
    return false;
}

/* --- page index ------------------------------------------------------------- */

/* The bytes of an index [off, off + len) inside the data (tn_malloc'd). */
static int load_bytes(pq_reader *r, int64_t off, int32_t len, uint8_t **out, tarn_error *err)
{
    *out = NULL;
    if (off < 4 || len <= 0 || off > r->data_end || len > r->data_end - off)
        return TN_CORRUPT(err, "%s: page index at %lld (%d bytes) outside the data", r->name, (long long)off, len);
    uint8_t *b = tn_malloc((size_t)len);
    TN_TRY_ALLOC(b, err, (size_t)len);
    int rc = read_at(r, off, (size_t)len, b, err);
    if (rc) {
        tn_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

/* The offset index of a chunk, or *n = 0 when it has none. */
static int offset_index(pq_reader *r, int32_t g, const pq_column_chunk *cc, pq_page_loc **locs, int32_t *n,
                        tarn_error *err)
{
    *locs = NULL;
    *n = 0;
    if (cc->offset_index_offset < 0)
        return 0;
    uint8_t *b;
    TN_TRY(load_bytes(r, cc->offset_index_offset, cc->offset_index_length, &b, err));
    int rc = tn_pq_offset_index_decode(b, (size_t)cc->offset_index_length, locs, n, err);
    tn_free(b);
    if (!rc && *n > 0 && ((*locs)[0].offset < 4 || (*locs)[*n - 1].offset + (*locs)[*n - 1].size > r->data_end ||
                          (*locs)[*n - 1].first_row >= r->meta->row_groups[g].num_rows)) {
        tn_free(*locs);
        *locs = NULL;
        rc = TN_CORRUPT(err, "offset index: pages outside the data or the row group");
    }
    if (rc && rc != TARN_ENOMEM && rc != TARN_EMEMLIMIT)
        tn_error_prefix(err, "%s: row group %d column \"%s\": ", r->name, g, cc->meta.n_path ? cc->meta.path[0] : "?");
    return rc;
}

/* The rows of row group g whose pages term t's column index does not rule
 * out, into *out; *usable false when the chunk has no page index. */
static int term_rows(pq_reader *r, int32_t g, const pq_term *t, rowset *out, bool *usable, tarn_error *err)
{
    const pq_row_group *rg = &r->meta->row_groups[g];
    const pq_column_chunk *cc = &rg->columns[t->node->leaf];
    *usable = false;
    if (cc->column_index_offset < 0 || cc->offset_index_offset < 0)
        return 0;
    pq_page_loc *locs;
    int32_t n;
    TN_TRY(offset_index(r, g, cc, &locs, &n, err));
    uint8_t *ci = NULL;
    pq_page_bounds *b = NULL;
    int32_t k = 0;
    int rc = load_bytes(r, cc->column_index_offset, cc->column_index_length, &ci, err);
    if (!rc)
        rc = tn_pq_column_index_decode(ci, (size_t)cc->column_index_length, &b, &k, err);
    if (!rc && k != n)
        rc = TN_CORRUPT(err, "%s: row group %d column \"%s\": column index of %d pages, offset index of %d", r->name,
                        g, t->column, k, n);
    for (int32_t i = 0; !rc && i < n; i++) {
        int64_t a = locs[i].first_row, e = i + 1 < n ? locs[i + 1].first_row : rg->num_rows;
        pq_column_meta fm = {.type = cc->meta.type, .num_values = e - a, .has_stats = true,
                             .stats = {.min = b[i].min, .max = b[i].max, .null_count = b[i].null_count,
                                       .distinct_count = -1}};
        if (!b[i].null_page && !tn_pq_filter_prunes(t, &fm, e - a))
            rc = rs_add(out, a, e, err);
    }
    *usable = !rc;
    tn_free(b);
    tn_free(ci);
    tn_free(locs);
    return rc;
}

/* *rows (empty on entry): the rows of row group g that every term's page
 * index leaves. */
static int select_rows(pq_reader *r, int32_t g, rowset *rows, tarn_error *err)
{
    TN_TRY(rs_add(rows, 0, r->meta->row_groups[g].num_rows, err));
    for (int32_t i = 0; r->filter && i < r->filter->n; i++) {
        rowset t = {0};
        bool usable;
        int rc = term_rows(r, g, &r->filter->terms[i], &t, &usable, err);
        if (!rc && usable)
            rc = rs_intersect(rows, &t, err);
        tn_free(t.iv);
        TN_TRY(rc);
    }
    return 0;
}

static int rs_copy(rowset *dst, const rowset *src, tarn_error *err)
{
    dst->n = 0;
    for (int32_t i = 0; i < src->n; i++)
        TN_TRY(rs_add(dst, src->iv[2 * i], src->iv[2 * i + 1], err));
    return 0;
}

/* The bytes of the pages of a leaf chunk that hold rows of sel (by its
 * offset index): its dictionary page and those data pages, as one chunk
 * in *buf with *levels levels; *cov gets the rows they cover. Pages of the
 * candidate rows cand without one of sel count as late. *done is false
 * when the chunk has no offset index. */
static int leaf_pages(pq_reader *r, int32_t g, const pq_node *leaf, const rowset *sel, const rowset *cand,
                      scan_counts *cnt, tn_buf *buf, int64_t *levels, rowset *cov, bool *done, tarn_error *err)
{
    const pq_row_group *rg = &r->meta->row_groups[g];
    const pq_column_chunk *cc = &rg->columns[leaf->leaf];
    const pq_column_meta *m = &cc->meta;
    *done = false;
    *levels = 0;
    pq_page_loc *locs;
    int32_t n;
    TN_TRY(offset_index(r, g, cc, &locs, &n, err));
    if (n == 0)
        return 0;
    int64_t start = m->data_page_offset;
    if (m->dictionary_page_offset > 0 && m->dictionary_page_offset < start)
        start = m->dictionary_page_offset;
    int rc = 0;
    if (start < 4 || start > locs[0].offset)
        rc = TN_CORRUPT(err, "%s: row group %d column \"%s\": first page at %lld before the chunk at %lld", r->name, g,
                        leaf->name, (long long)locs[0].offset, (long long)start);
    int64_t kept = 0, late = 0;
    if (!rc && locs[0].offset > start) { /* the dictionary page */
        rc = tn_buf_reserve(buf, (size_t)(locs[0].offset - start), err);
        if (!rc)
            rc = read_at(r, start, (size_t)(locs[0].offset - start), buf->data, err);
        if (!rc)
            buf->len = (size_t)(locs[0].offset - start);
    }
    for (int32_t i = 0; !rc && i < n; i++) {
        int64_t a = locs[i].first_row, e = i + 1 < n ? locs[i + 1].first_row : rg->num_rows;
        if (!rs_overlaps(sel, a, e)) {
            if (rs_overlaps(cand, a, e)) /* a candidate page without a matching row */
                late++;
            continue;
        }
        size_t at = buf->len;
        rc = tn_buf_reserve(buf, (size_t)locs[i].size, err);
        if (!rc)
            rc = read_at(r, locs[i].offset, (size_t)locs[i].size, buf->data + at, err);
        if (rc)
            break;
        buf->len += (size_t)locs[i].size;
        pq_page_header h;
        size_t used;
        rc = tn_pq_page_header_decode(buf->data + at, (size_t)locs[i].size, &h, &used, err);
        if (!rc && h.type != PQ_DATA_PAGE && h.type != PQ_DATA_PAGE_V2)
            rc = TN_CORRUPT(err, "%s: row group %d column \"%s\": offset index page %d is not a data page", r->name,
                            g, leaf->name, i);
        if (rc)
            break;
        *levels += h.num_values;
        kept++;
        rc = rs_add(cov, a, e, err);
    }
    if (!rc) {
        cnt->pages_read += kept;
        cnt->pages_skipped += n - kept - late;
        cnt->pages_late += late;
        *done = true;
    }
    tn_free(locs);
    return rc;
}

/* sel (⊆ cov) in the coordinates of the rows cov lists one after another. */
static int rs_within(const rowset *sel, const rowset *cov, rowset *out, tarn_error *err)
{
    int32_t j = 0;
    int64_t base = 0; /* rows of cov before interval j */
    for (int32_t i = 0; i < sel->n; i++) {
        int64_t lo = sel->iv[2 * i], hi = sel->iv[2 * i + 1];
        while (j < cov->n && cov->iv[2 * j + 1] <= lo) {
            base += cov->iv[2 * j + 1] - cov->iv[2 * j];
            j++;
        }
        if (j == cov->n || lo < cov->iv[2 * j] || hi > cov->iv[2 * j + 1])
            return tn_error_set(err, TARN_EINTERNAL, "parquet: rows [%lld, %lld) outside the decoded pages",
                                (long long)lo, (long long)hi);
        TN_TRY(rs_add(out, base + lo - cov->iv[2 * j], base + hi - cov->iv[2 * j], err));
    }
    return 0;
}

/* Decode the rows sel of a leaf without repetition into *out: only the
 * pages holding them are read when the chunk has an offset index, and the
 * values between them are skipped (tn_pq_read_chunk_rows). */
static int read_leaf_sel(pq_reader *r, int32_t g, const pq_node *leaf, const rowset *sel, const rowset *cand,
                         scan_counts *cnt, pq_chunk_data *out, tarn_error *err)
{
    tn_buf buf;
    tn_buf_init(&buf, 0);
    rowset cov = {0}, in = {0};
    int64_t levels = 0;
    bool done = false;
    pq_skip_stats st = {0};
    int rc = leaf_pages(r, g, leaf, sel, cand, cnt, &buf, &levels, &cov, &done, err);
    if (!rc && done) {
        rc = rs_within(sel, &cov, &in, err);
        pq_column_meta part = r->meta->row_groups[g].columns[leaf->leaf].meta;
        part.num_values = levels;
        part.total_compressed_size = (int64_t)buf.len;
        pq_rows_sel rs = {.iv = in.iv, .n = in.n};
        if (!rc)
            rc = tn_pq_read_chunk_rows(leaf, &part, buf.data ? buf.data : (const uint8_t *)"", buf.len, leaf->name,
                                       r->verify_crc, &rs, &st, out, err);
        if (rc && rc != TARN_ENOMEM && rc != TARN_EMEMLIMIT && rc != TARN_EINTERNAL)
            tn_error_prefix(err, "%s: row group %d: ", r->name, g);
        st.values += r->meta->row_groups[g].num_rows - rs_count(&cov); /* rows of pages never read */
    } else if (!rc) {
        pq_rows_sel rs = {.iv = sel->iv, .n = sel->n};
        rc = read_chunk(r, g, leaf->leaf, -1, &rs, &st, out, err);
    }
    cnt->pages_late += st.pages;
    cnt->values_late += st.values;
    tn_buf_reset(&buf);
    tn_free(cov.iv);
    tn_free(in.iv);
    return rc;
}

static int read_node(pq_reader *r, int32_t g, const pq_node *top, int64_t max_rows, int64_t rows,
                     pq_chunk_data *chunks, tn_array **out, tarn_error *err);

/* The boolean array of a row group's rows, true for those of sel. */
static int rs_mask(const rowset *sel, int64_t rows, tn_array **out, tarn_error *err)
{
    tn_buffer *bits = tn_buffer_new_zeroed(tn_bitmap_bytes(rows));
    TN_TRY_ALLOC(bits, err, (size_t)tn_bitmap_bytes(rows));
    for (int32_t i = 0; i < sel->n; i++)
        for (int64_t k = sel->iv[2 * i]; k < sel->iv[2 * i + 1]; k++)
            tn_bit_set(bits->data, k);
    tn_type *t = tn_type_get(TN_BOOL);
    tn_array *a = t ? tn_array_new(t, rows, 2, 0) : NULL;
    tn_type_unref(t);
    if (!a) {
        tn_buffer_unref(bits);
        return tn_error_oom(err, sizeof *a);
    }
    a->buffers[1] = bits;
    a->null_count = 0;
    *out = a;
    return 0;
}

/* One node of row group g restricted to the rows sel (of the candidates
 * cand). Nodes whose leaves have no repetition (flat columns, structs of
 * them) decode just those rows of each leaf; nodes with lists are decoded
 * whole and filtered. */
static int read_node_sel(pq_reader *r, int32_t g, const pq_node *top, const rowset *sel, const rowset *cand,
                         scan_counts *cnt, pq_chunk_data *chunks, tn_array **out, tarn_error *err)
{
    int64_t all = r->meta->row_groups[g].num_rows, want = rs_count(sel);
    if (want == all)
        return read_node(r, g, top, -1, all, chunks, out, err);
    int32_t first = top->first_leaf, n = count_leaves(top);
    bool flat = r->late;
    for (int32_t l = first; flat && l < first + n; l++)
        flat = r->schema->leaves[l]->max_rep == 0;
    int rc = 0;
    if (flat) {
        for (int32_t l = first; !rc && l < first + n; l++)
            rc = read_leaf_sel(r, g, r->schema->leaves[l], sel, cand, cnt, &chunks[l], err);
        if (!rc)
            rc = tn_pq_assemble(top, chunks, out, err);
        if (!rc && (*out)->length != want) {
            rc = TN_CORRUPT(err, "%s: row group %d column \"%s\": %lld rows decoded, %lld selected", r->name, g,
                            top->name, (long long)(*out)->length, (long long)want);
            tn_array_unref(*out);
            *out = NULL;
        }
        for (int32_t l = first; l < first + n; l++)
            tn_pq_chunk_data_reset(&chunks[l]);
        return rc;
    }
    tn_array *a = NULL, *mask = NULL;
    rc = read_node(r, g, top, -1, all, chunks, &a, err);
    if (!rc)
        rc = rs_mask(sel, all, &mask, err);
    if (!rc)
        rc = tn_filter(a, mask, out, err);
    tn_array_unref(mask);
    tn_array_unref(a);
    return rc;
}

/* Decode and assemble one node (a column or struct field) of row group g. */
static int read_node(pq_reader *r, int32_t g, const pq_node *top, int64_t max_rows, int64_t rows,
                     pq_chunk_data *chunks, tn_array **out, tarn_error *err)
{
    int32_t first = top->first_leaf, n = count_leaves(top);
    int rc = 0;
    for (int32_t l = first; !rc && l < first + n; l++)
        rc = read_chunk(r, g, l, max_rows, NULL, NULL, &chunks[l], err);
    if (!rc)
        rc = tn_pq_assemble(top, chunks, out, err);
    if (!rc && (*out)->length != rows) {
        rc = TN_CORRUPT(err, "%s: row group %d column \"%s\" has %lld rows, the row group %lld", r->name, g,
                        top->name, (long long)(*out)->length, (long long)rows);
        tn_array_unref(*out);
        *out = NULL;
    }
    for (int32_t l = first; l < first + n; l++)
        tn_pq_chunk_data_reset(&chunks[l]);
    return rc;
}

/* The rows of col matching term t: the comparison, or for IN the Kleene
 * OR of `=` with each literal. */
static int term_mask(const pq_term *t, tn_array *col, tn_array **out, tarn_error *err)
{
    if (t->n_alts == 0)
        return tn_compare((tn_cmp_op)t->op, tn_datum_of_array(col), tn_datum_of_scalar(t->scalar), NULL, out, err);
    tn_array *any = NULL;
    for (int32_t k = 0; k < t->n_alts; k++) {
        tn_array *eq;
        int rc = tn_compare(TN_CMP_EQ, tn_datum_of_array(col), tn_datum_of_scalar(t->alts[k].scalar), NULL, &eq, err);
        if (!rc && any) {
            tn_array *both = NULL;
            rc = tn_bool(TN_OR, tn_datum_of_array(any), tn_datum_of_array(eq), NULL, &both, err);
            tn_array_unref(eq);
            tn_array_unref(any);
            any = both;
        } else if (!rc) {
            any = eq;
        }
        if (rc) {
            tn_array_unref(any);
            return rc;
        }
    }
    *out = any;
    return 0;
}

/* 64 bits of the bitmap p from bit q on (bit k: bit q + k), reading no
 * byte at or past bit end; the bits past end are undefined. */
static inline uint64_t bits64(const uint8_t *p, int64_t q, int64_t end)
{
    int64_t b = q >> 3, avail = ((end + 7) >> 3) - b;
    int sh = (int)(q & 7);
    uint64_t w = 0;
    if (avail >= 8)
        memcpy(&w, p + b, 8); /* little-endian: byte j holds bits 8j.. */
    else
        for (int64_t j = 0; j < avail; j++)
            w |= (uint64_t)p[b + j] << (8 * j);
    w >>= sh;
    if (sh && avail > 8)
        w |= (uint64_t)p[b + 8] << (64 - sh);
    return w;
}

/* The rows of sel (absolute) where mask, over sel's rows one after
 * another, is true and not null: read 64 rows at a time, each run found
 * by counting trailing zeros. */
static int rs_from_mask(const rowset *sel, tn_array *mask, rowset *out, tarn_error *err)
{
    const uint8_t *bits = mask->buffers[1]->data;
    const uint8_t *valid = mask->buffers[0] ? mask->buffers[0]->data : NULL;
    int64_t end = mask->offset + mask->length, q = mask->offset; /* q: sel's current row in the mask */
    for (int32_t i = 0; i < sel->n; i++) {
        int64_t row = sel->iv[2 * i], stop = sel->iv[2 * i + 1], run = -1;
        while (row < stop) {
            int64_t lim = stop - row < 64 ? stop - row : 64;
            uint64_t w = bits64(bits, q, end);
            if (valid)
                w &= bits64(valid, q, end);
            uint64_t look = (run < 0 ? w : ~w) & (lim == 64 ? ~0ull : (1ull << lim) - 1); /* where the run changes */
            int64_t k = look ? __builtin_ctzll(look) : lim;
            row += k;
            q += k;
            if (!look)
                continue;
            if (run < 0) {
                run = row;
            } else {
                TN_TRY(rs_add(out, run, row, err));
                run = -1;
            }
        }
        if (run >= 0)
            TN_TRY(rs_add(out, run, stop, err));
    }
    return 0;
}

/* A filter column is decoded for just the rows the terms before it kept
 * when those are at most one in NARROW_RUN candidate rows: picking out
 * many short runs costs more than decoding the pages whole. */
#define NARROW_RUN 64

/* The rows sub (⊆ sup) of col, an array over the rows of sup one after
 * another. */
static int narrow(tn_array *col, const rowset *sup, const rowset *sub, tn_array **out, tarn_error *err)
{
    int64_t all = rs_count(sup);
    if (rs_count(sub) == all) {
        *out = tn_array_ref(col);
        return 0;
    }
    rowset in = {0};
    tn_array *mask = NULL;
    int rc = rs_within(sub, sup, &in, err);
    if (!rc)
        rc = rs_mask(&in, all, &mask, err);
    if (!rc)
        rc = tn_filter(col, mask, out, err);
    tn_array_unref(mask);
    tn_free(in.iv);
    return rc;
}

/* An output column of a filtered row group: node decoded over the rows
 * sel (with mask: then filtered by it), counting into n. */
typedef struct sel_task {
    pq_reader *r;
    int32_t g;
    const pq_node *node;
    const rowset *sel, *cand;
    tn_array *mask;
    pq_chunk_data *chunks; /* shared: the columns' leaves are disjoint */
    scan_counts n;
    tn_array **out;
} sel_task;

static int run_sel_task(void *arg, tarn_error *err)
{
    sel_task *t = arg;
    if (!t->mask)
        return read_node_sel(t->r, t->g, t->node, t->sel, t->cand, &t->n, t->chunks, t->out, err);
    tn_array *col = NULL;
    TN_TRY(read_node_sel(t->r, t->g, t->node, t->sel, t->cand, &t->n, t->chunks, &col, err));
    int rc = tn_filter(col, t->mask, t->out, err);
    tn_array_unref(col);
    return rc;
}

/* 1 + the last term on node whose column was decoded, or 0. */
static int32_t term_node(const pq_reader *r, tn_array *const *tcol, const pq_node *node)
{
    int32_t term = 0;
    for (int32_t i = 0; i < r->filter->n; i++)
        if (r->filter->terms[i].node == node && tcol[i])
            term = i + 1;
    return term;
}

/* Row group g with the filter, into *out, counting into *cnt. The
 * filter's columns are decoded first and their terms give the matching
 * rows (the Kleene AND of the comparisons, null counting as no match).
 * With late materialization each term's column is decoded only for the
 * rows the terms before it kept (the first over the candidate rows cand),
 * and the other output columns only for the matching rows (read_node_sel);
 * without it every column is decoded over the candidates and filtered by
 * the mask. The other output columns decode as tasks on the pool unless
 * the reader is serial, reads from a source, or has columns sharing
 * leaves. Term columns count no late pages or values. */
static int read_filtered(pq_reader *r, int32_t g, const rowset *cand, scan_counts *cnt, pq_chunk_data *chunks,
                         tn_batch **out, tarn_error *err)
{
    int32_t nt = r->filter->n;
    tn_array **tcol = tn_calloc((size_t)nt + 1, sizeof *tcol);
    rowset *tsel = tn_calloc((size_t)nt + 1, sizeof *tsel); /* the rows tcol[i] holds */
    sel_task *tasks = tn_calloc((size_t)r->n_sel + 1, sizeof *tasks);
    if (!tcol || !tsel || !tasks) {
        tn_free(tcol);
        tn_free(tsel);
        tn_free(tasks);
        return tn_error_oom(err, (size_t)(nt + r->n_sel) * sizeof *tasks);
    }
    tn_array *mask = NULL;   /* without late materialization: the terms' AND over cand */
    rowset surv = {0};       /* the rows the terms so far keep */
    tn_batch *nb = NULL;
    scan_counts tc = {0};    /* the term columns' counts: only pages read and skipped are kept */
    /* The terms' result is kept as the AND of their masks over cand until
     * (with late materialization) it holds so few rows that the next
     * filter column is better decoded for those rows only: from then on
     * it is the row set surv. */
    bool rows_set = false;
    int rc = 0;
    for (int32_t i = 0; !rc && i < nt; i++) {
        const pq_term *t = &r->filter->terms[i];
        if (r->late && !rows_set && mask &&
            tn_bitmap_count(mask->buffers[1]->data, mask->offset, mask->length) * NARROW_RUN <= mask->length) {
            rc = rs_from_mask(cand, mask, &surv, err); /* at most one row in NARROW_RUN left */
            rows_set = true;
        }
        if (rc || (rows_set && surv.n == 0)) /* no row left: the other terms are not read */
            break;
        const rowset *over = rows_set ? &surv : cand;
        int32_t j = 0;
        while (j < i && (r->filter->terms[j].node != t->node || !tcol[j]))
            j++;
        rc = rs_copy(&tsel[i], over, err);
        if (!rc && j < i) /* the column of an earlier term, cut to the rows left */
            rc = narrow(tcol[j], &tsel[j], over, &tcol[i], err);
        else if (!rc)
            rc = read_node_sel(r, g, t->node, over, cand, &tc, chunks, &tcol[i], err);
        tn_array *cmp = NULL;
        if (!rc)
            rc = term_mask(t, tcol[i], &cmp, err);
        if (!rc && rows_set) {
            rowset left = {0};
            rc = rs_from_mask(&surv, cmp, &left, err);
            tn_free(surv.iv);
            surv = left;
            tn_array_unref(cmp);
        } else if (!rc && mask) {
            tn_array *both = NULL;
            rc = tn_bool(TN_AND, tn_datum_of_array(mask), tn_datum_of_array(cmp), NULL, &both, err);
            tn_array_unref(cmp);
            tn_array_unref(mask);
            mask = both;
        } else if (!rc) {
            mask = cmp;
        }
    }
    if (!rc && !rows_set)
        rc = rs_from_mask(cand, mask, &surv, err);
    cnt->pages_read += tc.pages_read;
    cnt->pages_skipped += tc.pages_skipped;
    int64_t kept = rc ? 0 : rs_count(&surv);
    if (!rc && !(nb = tn_batch_new(r->base.schema, kept)))
        rc = tn_error_oom(err, sizeof *nb);
    /* the other output columns: tasks, spawned first when they run on the
     * pool; the filter's own columns are cut meanwhile */
    int32_t n_tasks = 0;
    for (int32_t s = 0; !rc && s < r->n_sel; s++)
        if (!term_node(r, tcol, r->sel[s]) && (kept > 0 || !r->late))
            tasks[n_tasks++] = (sel_task){.r = r, .g = g, .node = r->sel[s], .sel = r->late ? &surv : cand,
                                          .cand = cand, .mask = r->late ? NULL : mask, .chunks = chunks,
                                          .out = &nb->columns[s]};
    tn_taskgroup *tg = NULL;
    if (!rc && n_tasks > 1 && !r->serial && r->disjoint && !r->src.read_at) {
        if (!(tg = tn_taskgroup_new()))
            rc = tn_error_oom(err, 64);
        for (int32_t k = 0; tg && k < n_tasks; k++)
            if (tn_taskgroup_spawn(tg, run_sel_task, &tasks[k]) != TARN_OK)
                break; /* the group holds the error */
    }
    for (int32_t s = 0, k = 0; !rc && s < r->n_sel; s++) {
        const pq_node *node = r->sel[s];
        int32_t term = term_node(r, tcol, node) - 1;
        if (k < n_tasks && tasks[k].out == &nb->columns[s]) {
            if (!tg)
                rc = run_sel_task(&tasks[k], err);
            k++;
        } else if (kept == 0) {
            if (!(nb->columns[s] = tn_array_new_empty(node->type)))
                rc = tn_error_oom(err, sizeof(tn_array));
        } else {
            rc = narrow(tcol[term], &tsel[term], &surv, &nb->columns[s], err);
        }
    }
    if (tg) {
        tarn_error e;
        int trc = tn_taskgroup_wait(tg, &e);
        if (trc && !rc) {
            rc = trc;
            *err = e;
        }
        tn_taskgroup_free(tg);
    }
    for (int32_t k = 0; k < n_tasks; k++)
        counts_add(cnt, &tasks[k].n);
    if (!rc)
        cnt->rows_filtered += rs_count(cand) - kept;
    for (int32_t i = 0; i < nt; i++) {
        tn_array_unref(tcol[i]);
        tn_free(tsel[i].iv);
    }
    tn_free(tcol);
    tn_free(tsel);
    tn_free(tasks);
    tn_array_unref(mask);
    tn_free(surv.iv);
    if (rc) {
        tn_batch_unref(nb);
        return rc;
    }
    *out = nb;
    return 0;
}

/* Whether the bloom filter of a chunk proves that term t's literal (an
 * `=`) is not in it. A filter that cannot be used (absent, out of the
 * file, another algorithm, bad header) proves nothing; read errors and
 * memory failures are errors. */
static int bloom_excludes(pq_reader *r, const pq_term *t, const pq_column_meta *m, bool *out, tarn_error *err)
{
    *out = false;
    int64_t off = m->bloom_filter_offset;
    if (t->op != TN_CMP_EQ || !t->plain || off < 4 || off >= r->data_end)
        return 0;
    uint8_t head[256];
    size_t hn = r->data_end - off < (int64_t)sizeof head ? (size_t)(r->data_end - off) : sizeof head;
    TN_TRY(read_at(r, off, hn, head, err));
    int32_t n_bytes;
    size_t head_len;
    tarn_error ignored;
    if (tn_pq_bloom_header_read(head, hn, &n_bytes, &head_len, &ignored) != 0 ||
        (int64_t)n_bytes > r->data_end - off - (int64_t)head_len)
        return 0;
    uint64_t h = tn_pq_bloom_hash(t->plain, t->plain_len);
    if (r->mem) {
        *out = !tn_pq_bloom_check(r->mem + off + (int64_t)head_len, n_bytes, h);
        return 0;
    }
    uint8_t *bits = tn_malloc((size_t)n_bytes);
    TN_TRY_ALLOC(bits, err, (size_t)n_bytes);
    int rc = read_at(r, off + (int64_t)head_len, (size_t)n_bytes, bits, err);
    if (!rc)
        *out = !tn_pq_bloom_check(bits, n_bytes, h);
    tn_free(bits);
    return rc;
}

/* Whether row group g can be skipped: its statistics, then its bloom
 * filters, prove no row matches the filter. *by says which (1, 2; 0: not
 * skipped). */
static int prune(pq_reader *r, int32_t g, int *by, tarn_error *err)
{
    const pq_row_group *rg = &r->meta->row_groups[g];
    *by = 0;
    for (int32_t i = 0; i < r->filter->n; i++) {
        const pq_term *t = &r->filter->terms[i];
        if (tn_pq_filter_prunes(t, &rg->columns[t->node->leaf].meta, rg->num_rows)) {
            *by = 1;
            return 0;
        }
    }
    for (int32_t i = 0; i < r->filter->n; i++) {
        const pq_term *t = &r->filter->terms[i];
        bool absent = true;
        for (int32_t k = 0; absent && k < (t->n_alts ? t->n_alts : 1); k++) /* IN: every literal absent */
            TN_TRY(bloom_excludes(r, t->n_alts ? &t->alts[k] : t, &rg->columns[t->node->leaf].meta, &absent, err));
        if (absent) {
            *by = 2;
            return 0;
        }
    }
    return 0;
}

/* Tell the source which byte ranges the selected chunks of row group g
 * span (read_chunk checks them when it reads). */
static int prefetch_chunks(pq_reader *r, int32_t g, tarn_error *err)
{
    int32_t nl = r->schema->n_leaves, n = 0;
    int64_t *off = tn_malloc(sizeof *off * (size_t)(2 * nl + 2));
    TN_TRY_ALLOC(off, err, sizeof *off * (size_t)(2 * nl + 2));
    int64_t *len = off + nl + 1;
    for (int32_t s = 0; s < r->n_sel; s++)
        for (int32_t l = r->sel[s]->first_leaf, e = l + count_leaves(r->sel[s]); l < e; l++) {
            const pq_column_meta *m = &r->meta->row_groups[g].columns[l].meta;
            int64_t start = m->data_page_offset;
            if (m->dictionary_page_offset > 0 && m->dictionary_page_offset < start)
                start = m->dictionary_page_offset;
            int64_t end = start + m->total_compressed_size + r->chunk_pad;
            if (end > r->data_end)
                end = r->data_end;
            if (start >= 4 && end > start && n < nl) {
                off[n] = start;
                len[n++] = end - start;
            }
        }
    int rc = n ? r->src.prefetch(r->src.ctx, off, len, n, err) : 0;
    tn_free(off);
    return rc;
}

/* Selected column s of row group g, decoded, with its ARROW:schema type restored. */
static int decode_column(pq_reader *r, int32_t g, int32_t s, int64_t max_rows, int64_t rows, pq_chunk_data *chunks,
                         tn_array **out, tarn_error *err)
{
    tn_array *a = NULL;
    TN_TRY(read_node(r, g, r->sel[s], max_rows, rows, chunks, &a, err));
    if (!r->restore[s]) {
        *out = a;
        return 0;
    }
    int rc = tn_pq_arrow_restore(a, r->restore[s], out, err);
    if (rc && rc != TARN_ENOMEM && rc != TARN_EMEMLIMIT)
        tn_error_prefix(err, "%s: row group %d column \"%s\": ", r->name, g, r->sel[s]->name);
    tn_array_unref(a);
    return rc;
}

typedef struct col_task {
    pq_reader *r;
    int32_t g, s;
    int64_t max_rows, rows;
    pq_chunk_data *chunks; /* shared: the columns' leaves are disjoint */
    tn_array **out;
} col_task;

static int run_col_task(void *arg, tarn_error *err)
{
    col_task *t = arg;
    return decode_column(t->r, t->g, t->s, t->max_rows, t->rows, t->chunks, t->out, err);
}

/* Decode row group g into a batch of the selected columns; with
 * max_rows >= 0 (a limit, without a filter) only its first max_rows rows;
 * with a filter, from its candidate rows cand. The columns are decoded as
 * tasks on the pool (with a filter, those decoded after the filter's),
 * unless the reader is serial or two selected columns share leaves. */
static int read_row_group(pq_reader *r, int32_t g, int64_t max_rows, const rowset *cand, scan_counts *cnt,
                          tn_batch **out, int64_t *refused, tarn_error *err)
{
    const pq_row_group *rg = &r->meta->row_groups[g];
    int32_t nl = r->schema->n_leaves;
    int64_t rows = max_rows >= 0 && max_rows < rg->num_rows ? max_rows : rg->num_rows;
    if (max_rows >= rg->num_rows)
        max_rows = -1;
    /* a remote source fetches the selected chunks together (with a
     * filter, the page index picks pages and they are read one by one) */
    if (r->src.prefetch && !r->filter)
        TN_TRY(prefetch_chunks(r, g, err));
    pq_chunk_data *chunks = tn_calloc((size_t)nl + 1, sizeof *chunks);
    TN_TRY_ALLOC(chunks, err, (size_t)nl * sizeof *chunks);
    tn_batch *b = NULL;
    int rc = 0;
    if (r->filter) {
        rc = read_filtered(r, g, cand, cnt, chunks, &b, err);
        for (int32_t s = 0; !rc && s < r->n_sel; s++) {
            if (!r->restore[s] || !b->columns[s])
                continue;
            tn_array *a;
            rc = tn_pq_arrow_restore(b->columns[s], r->restore[s], &a, err);
            if (!rc) {
                tn_array_unref(b->columns[s]);
                b->columns[s] = a;
            } else if (rc != TARN_ENOMEM && rc != TARN_EMEMLIMIT) {
                tn_error_prefix(err, "%s: row group %d column \"%s\": ", r->name, g, r->sel[s]->name);
            }
        }
    } else if (!(b = tn_batch_new(r->base.schema, rows))) {
        rc = tn_error_oom(err, sizeof *b);
    } else if (r->serial || r->n_sel < 2 || !r->disjoint || r->src.read_at) {
        /* a remote source reads from one cursor: its columns decode in turn */
        for (int32_t s = 0; !rc && s < r->n_sel; s++)
            rc = decode_column(r, g, s, max_rows, rows, chunks, &b->columns[s], err);
    } else {
        col_task *tasks = tn_calloc((size_t)r->n_sel, sizeof *tasks);
        tn_taskgroup *tg = tasks ? tn_taskgroup_new() : NULL;
        if (!tg) {
            rc = tn_error_oom(err, (size_t)r->n_sel * sizeof *tasks);
        } else {
            for (int32_t s = 0; s < r->n_sel; s++) {
                tasks[s] = (col_task){.r = r, .g = g, .s = s, .max_rows = max_rows, .rows = rows, .chunks = chunks,
                                      .out = &b->columns[s]};
                if (tn_taskgroup_spawn(tg, run_col_task, &tasks[s]) != TARN_OK)
                    break; /* the group holds the error */
            }
            rc = tn_taskgroup_wait(tg, err);
        }
        tn_taskgroup_free(tg);
        tn_free(tasks);
    }
    for (int32_t l = 0; rc && l < nl; l++)
        if (chunks[l].refused > *refused)
            *refused = chunks[l].refused;
    tn_free(chunks);
    if (rc) {
        tn_batch_unref(b);
        return rc;
    }
    *out = b;
    return 0;
}

/* Rows [a, b) of row group g (no filter) into *out: every selected
 * column is flat (read_parts checks), so each leaf decodes just those rows. */
static int read_range(pq_reader *r, int32_t g, int64_t a, int64_t b, tn_batch **out, int64_t *refused,
                      tarn_error *err)
{
    int32_t nl = r->schema->n_leaves;
    rowset sel = {0};
    scan_counts none = {0}; /* a read without a filter counts no pages */
    pq_chunk_data *chunks = tn_calloc((size_t)nl + 1, sizeof *chunks);
    tn_batch *x = chunks ? tn_batch_new(r->base.schema, b - a) : NULL;
    int rc = x ? rs_add(&sel, a, b, err) : tn_error_oom(err, (size_t)nl * sizeof *chunks);
    for (int32_t s = 0; !rc && s < r->n_sel; s++) {
        tn_array *col = NULL;
        rc = read_node_sel(r, g, r->sel[s], &sel, &sel, &none, chunks, &col, err);
        if (!rc && r->restore[s]) {
            rc = tn_pq_arrow_restore(col, r->restore[s], &x->columns[s], err);
            tn_array_unref(col);
        } else if (!rc) {
            x->columns[s] = col;
        }
    }
    for (int32_t l = 0; rc && chunks && l < nl; l++)
        if (chunks[l].refused > *refused)
            *refused = chunks[l].refused;
    tn_free(chunks);
    tn_free(sel.iv);
    if (rc) {
        tn_batch_unref(x);
        return rc;
    }
    *out = x;
    return 0;
}

/* Rows [a, b) of row group g as batches appended to *list, halved until
 * the strings of each fit arrays with 32-bit offsets. */
static int read_parts(pq_reader *r, int32_t g, int64_t a, int64_t b, batch_list *list, tarn_error *err)
{
    tn_batch *x = NULL;
    int64_t refused = 0;
    int rc = read_range(r, g, a, b, &x, &refused, err);
    if (rc == TARN_EUNSUPPORTED && refused > 0 && b - a > 1) { /* still too many: halve */
        TN_TRY(read_parts(r, g, a, a + (b - a) / 2, list, err));
        return read_parts(r, g, a + (b - a) / 2, b, list, err);
    }
    if (rc)
        return rc;
    if (list->n == list->cap) {
        int32_t cap = list->cap ? 2 * list->cap : 4;
        tn_batch **nb = tn_realloc(list->b, (size_t)cap * sizeof *nb);
        if (!nb) {
            tn_batch_unref(x);
            return tn_error_oom(err, (size_t)cap * sizeof *nb);
        }
        list->b = nb;
        list->cap = cap;
    }
    list->b[list->n++] = x;
    return 0;
}

/* Row group g, pruned by the filter and read: *out is its batch, or NULL
 * when the filter skips it undecoded; its counts go to *cnt. A group
 * without a filter whose strings do not fit arrays with 32-bit offsets is
 * read in parts when its selected columns are flat: *out is the first,
 * *more the others. */
static int scan_group(pq_reader *r, int32_t g, int64_t max_rows, tn_batch **out, batch_list *more, scan_counts *cnt,
                      tarn_error *err)
{
    *out = NULL;
    int64_t n_rows = r->meta->row_groups[g].num_rows;
    if (!r->filter && n_rows == 0) /* nothing to decode (or check) */
        return 0;
    if (!r->filter) {
        int64_t refused = 0;
        int rc = read_row_group(r, g, max_rows, NULL, cnt, out, &refused, err);
        bool flat = r->late;
        for (int32_t s = 0; flat && s < r->n_sel; s++)
            for (int32_t l = r->sel[s]->first_leaf, e = l + count_leaves(r->sel[s]); flat && l < e; l++)
                flat = r->schema->leaves[l]->max_rep == 0;
        if (rc == TARN_EUNSUPPORTED && refused > 0 && flat && n_rows > 1) {
            batch_list parts = {0};
            rc = read_parts(r, g, 0, max_rows >= 0 && max_rows < n_rows ? max_rows : n_rows, &parts, err);
            if (!rc && parts.n > 0) {
                *out = parts.b[0];
                memmove(parts.b, parts.b + 1, (size_t)(parts.n - 1) * sizeof *parts.b);
                parts.n--;
                *more = parts;
            } else {
                bl_free(&parts);
            }
        }
        TN_TRY(rc);
        cnt->rg_read++;
        return 0;
    }
    int by = 0;
    TN_TRY(prune(r, g, &by, err));
    if (by) {
        *(by == 1 ? &cnt->rg_pruned : &cnt->rg_bloom) += 1;
        return 0;
    }
    rowset rows = {0};
    int64_t refused = 0;
    int rc = select_rows(r, g, &rows, err);
    if (!rc && rows.n == 0) /* the page index rules out every page */
        cnt->rg_pages++;
    else if (!rc && !(rc = read_row_group(r, g, -1, &rows, cnt, out, &refused, err)))
        cnt->rg_read++;
    tn_free(rows.iv);
    return rc;
}

/* Read slot a's row group, unless another thread has claimed it. */
static void run_ahead(ahead *a)
{
    if (atomic_exchange(&a->claimed, 1))
        return;
    a->rc = scan_group(a->r, a->g, -1, &a->out, &a->more, &a->n, &a->err);
    atomic_store(&a->done, 1);
}

static int ahead_task(void *arg, tarn_error *err)
{
    (void)err;
    run_ahead(arg);
    return 0;
}

/* How many row groups to read ahead: none when the reader is serial or a
 * limit or offset is left (they count rows: reading ahead could be waste);
 * one with a single thread, a source (one cursor) or no filter (every
 * column of a group decodes as a task, which keeps the threads busy);
 * else MAX_AHEAD, so that the calling thread, when it needs the next
 * group while a worker still decodes it, decodes the one after instead of
 * waiting idle: a filtered group's filter columns decode one after
 * another. */
static int32_t ahead_wanted(const pq_reader *r)
{
    if (r->serial || r->left >= 0 || r->skip > 0)
        return 0;
    return tarn_threads() < 2 || r->src.read_at || !r->filter ? 1 : MAX_AHEAD;
}

/* Queue the next row groups to be read ahead, up to ahead_wanted. */
static int start_ahead(pq_reader *r, tarn_error *err)
{
    int32_t want = ahead_wanted(r);
    while (r->pf_n < want && r->rg < r->n_groups) {
        ahead *a = &r->pf[(r->pf_head + r->pf_n) % MAX_AHEAD];
        a->r = r;
        a->g = r->groups ? r->groups[r->rg] : r->rg;
        atomic_store(&a->claimed, 0);
        atomic_store(&a->done, 0);
        a->rc = 0;
        a->out = NULL;
        a->more = (batch_list){0};
        a->n = (scan_counts){0};
        a->tg = tn_taskgroup_new();
        TN_TRY_ALLOC(a->tg, err, 64);
        r->pf_n++;
        r->rg++;
        (void)tn_taskgroup_spawn(a->tg, ahead_task, a); /* a failure is returned by the wait */
    }
    return 0;
}

/* Take the oldest row group read ahead: *out is its batch (NULL when the
 * filter skipped it), its counts join the reader's. The calling thread
 * reads it itself when no worker has started it, or else a later one
 * while it waits. */
static int finish_ahead(pq_reader *r, tn_batch **out, batch_list *more, tarn_error *err)
{
    ahead *a = &r->pf[r->pf_head];
    run_ahead(a);
    for (int32_t k = 1; k < r->pf_n && !atomic_load(&a->done); k++)
        run_ahead(&r->pf[(r->pf_head + k) % MAX_AHEAD]);
    int rc = tn_taskgroup_wait(a->tg, err);
    tn_taskgroup_free(a->tg);
    a->tg = NULL;
    r->pf_head = (r->pf_head + 1) % MAX_AHEAD;
    r->pf_n--;
    if (!rc && a->rc) {
        rc = a->rc;
        *err = a->err;
    }
    *out = rc ? NULL : a->out;
    if (rc) {
        tn_batch_unref(a->out);
        bl_free(&a->more);
    }
    *more = a->more;
    a->more = (batch_list){0};
    a->out = NULL;
    counts_add(&r->n, &a->n);
    return rc;
}

static int next(tn_reader *base, tn_batch **out, tarn_error *err)
{
    pq_reader *r = (pq_reader *)base;
    *out = NULL;
    while (r->left != 0) {
        if (r->cur && r->cur_pos < r->cur->length) {
            int64_t n = r->cur->length - r->cur_pos;
            if (n > r->batch_size)
                n = r->batch_size;
            if (r->left > 0 && n > r->left)
                n = r->left;
            tn_batch *s = r->cur_pos == 0 && n == r->cur->length ? tn_batch_ref(r->cur)
                                                                  : tn_batch_slice(r->cur, r->cur_pos, n);
            TN_TRY_ALLOC(s, err, sizeof *s);
            r->cur_pos += n;
            if (r->left > 0)
                r->left -= n;
            *out = s;
            return 0;
        }
        tn_batch_unref(r->cur);
        r->cur = NULL;
        if (r->part_i < r->parts.n) { /* the row group's next part */
            r->cur = r->parts.b[r->part_i];
            r->parts.b[r->part_i++] = NULL;
            r->cur_pos = r->skip < r->cur->length ? r->skip : r->cur->length;
            r->skip -= r->cur_pos;
            continue;
        }
        bl_free(&r->parts);
        r->part_i = 0;
        TN_TRY(start_ahead(r, err));
        if (r->pf_n > 0) {
            TN_TRY(finish_ahead(r, &r->cur, &r->parts, err));
            r->cur_pos = 0;
            TN_TRY(start_ahead(r, err)); /* the one after, while the caller takes these batches */
            continue;
        }
        if (r->rg >= r->n_groups)
            break;
        int32_t g = r->groups ? r->groups[r->rg] : r->rg;
        int64_t rows = r->meta->row_groups[g].num_rows;
        if (!r->filter && r->skip >= rows) { /* offset: skip the whole group undecoded */
            r->skip -= rows;
            r->rg++;
            continue;
        }
        /* With a limit (and no filter), only the rows up to it are decoded. */
        int64_t max_rows = !r->filter && r->left >= 0 && r->skip + r->left < rows ? r->skip + r->left : -1;
        scan_counts c = {0};
        int rc = scan_group(r, g, max_rows, &r->cur, &r->parts, &c, err);
        counts_add(&r->n, &c);
        TN_TRY(rc);
        r->rg++;
        if (!r->cur)
            continue;
        if (r->skip >= r->cur->length) { /* offset over filtered rows */
            r->skip -= r->cur->length;
            r->cur_pos = r->cur->length;
            continue;
        }
        r->cur_pos = r->skip;
        r->skip = 0;
    }
    return 0;
}

static void destroy(tn_reader *base)
{
    pq_reader *r = (pq_reader *)base;
    if (r->explain && r->meta) {
        fprintf(stderr, "parquet: %s: row groups: %d read, %d skipped by statistics, %d by bloom filters, %d in the file\n",
                r->name, r->n.rg_read, r->n.rg_pruned, r->n.rg_bloom, r->meta->n_row_groups);
        if (r->filter)
            fprintf(stderr, "parquet: %s: pages: %lld read, %lld skipped by the page index (%d row groups wholly)\n",
                    r->name, (long long)r->n.pages_read, (long long)r->n.pages_skipped, r->n.rg_pages);
        if (r->filter)
            fprintf(stderr, "parquet: %s: rows: %lld dropped by the filter; other columns: %lld pages and %lld "
                    "values not decoded\n", r->name, (long long)r->n.rows_filtered, (long long)r->n.pages_late,
                    (long long)r->n.values_late);
    }
    for (int32_t k = 0; k < r->pf_n; k++) {
        ahead *a = &r->pf[(r->pf_head + k) % MAX_AHEAD];
        tn_taskgroup_cancel(a->tg);
        tn_taskgroup_free(a->tg); /* waits for a task already running */
        tn_batch_unref(a->out);
        bl_free(&a->more);
    }
    tn_batch_unref(r->cur);
    bl_free(&r->parts);
    tn_pq_filter_free(r->filter);
    if (!r->owner) {
        tn_pq_schema_free(r->schema);
        tn_pq_meta_free(r->meta);
        if (r->fd >= 0)
            close(r->fd);
    }
    if (r->src.close)
        r->src.close(r->src.ctx);
    tn_free(r->groups);
    for (int32_t i = 0; r->restore && i < r->n_sel; i++)
        tn_type_unref(r->restore[i]);
    tn_free(r->restore);
    tn_free(r->sel);
    tn_free(r->name);
    tn_free(r);
}

/* The node a requested column names: a top-level column, or a field
 * inside struct columns as a dotted path ("a.b.c"); an exact top-level
 * name wins over a path. *nullable gets whether it or a parent is. */
static const pq_node *resolve(const pq_node *root, const char *name, bool *nullable)
{
    for (int32_t j = 0; j < root->n_children; j++)
        if (strcmp(root->children[j]->name, name) == 0) {
            *nullable = root->children[j]->nullable;
            return root->children[j];
        }
    const pq_node *n = root;
    const char *p = name;
    bool any_null = false;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        const pq_node *next = NULL;
        if (n->kind == PQN_STRUCT)
            for (int32_t j = 0; j < n->n_children && !next; j++)
                if (strlen(n->children[j]->name) == len && memcmp(n->children[j]->name, p, len) == 0)
                    next = n->children[j];
        if (!next)
            return NULL;
        n = next;
        any_null = any_null || n->nullable;
        p = dot ? dot + 1 : p + len;
        if (dot && !*p)
            return NULL;
    }
    *nullable = any_null;
    return n == root ? NULL : n;
}

/* The Arrow schema stored by the writer, or NULL when there is none or it
 * cannot be decoded (the Parquet schema alone still reads the data). */
static int stored_arrow_schema(pq_reader *r, tn_schema **out, tarn_error *err)
{
    *out = NULL;
    for (int32_t i = 0; i < r->meta->n_kv; i++) {
        if (!r->meta->kv_keys[i] || !r->meta->kv_values[i] || strcmp(r->meta->kv_keys[i], TN_PQ_ARROW_SCHEMA_KEY) != 0)
            continue;
        tarn_error e;
        int rc = tn_pq_arrow_schema_decode(r->meta->kv_values[i], r->name, out, &e);
        if (rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT) {
            *err = e;
            return rc;
        }
        return 0;
    }
    return 0;
}

/* Output field i for the top-level node n: the stored Arrow field of the
 * same name when the arrays read convert to its type (arrow_schema.h). */
static bool has_large(const pq_node *n)
{
    if (n->kind == PQN_LEAF)
        return n->large;
    for (int32_t i = 0; i < n->n_children; i++)
        if (has_large(n->children[i]))
            return true;
    return false;
}

static int arrow_field(pq_reader *r, const tn_schema *arrow, int32_t i, const pq_node *n, tarn_error *err)
{
    tn_field *f = &r->base.schema->fields[i];
    if (has_large(n)) /* 64-bit offsets for its size: the stored 32-bit type may not hold it */
        return 0;
    for (int32_t j = 0; arrow && j < arrow->n_fields; j++) {
        const tn_field *af = &arrow->fields[j];
        if (strcmp(af->name, n->name) != 0 || !tn_pq_arrow_type_fits(n->type, af->type))
            continue;
        if (!tn_type_equals(n->type, af->type))
            r->restore[i] = tn_type_ref(af->type);
        tn_field_reset(f);
        TN_TRY(tn_field_copy(f, af, err));
        return 0;
    }
    return 0;
}

static int select_columns(pq_reader *r, const tn_parquet_read_options *o, tarn_error *err)
{
    const pq_node *root = r->schema->root;
    bool all = !o || !o->columns;
    r->n_sel = all ? root->n_children : o->n_columns;
    if (r->n_sel < 0)
        return tn_error_set(err, TARN_EINVAL, "parquet: negative column count");
    r->sel = tn_calloc((size_t)r->n_sel + 1, sizeof *r->sel);
    TN_TRY_ALLOC(r->sel, err, (size_t)r->n_sel * sizeof *r->sel);
    r->restore = tn_calloc((size_t)r->n_sel + 1, sizeof *r->restore);
    TN_TRY_ALLOC(r->restore, err, (size_t)r->n_sel * sizeof *r->restore);
    tn_schema *s = tn_schema_new(r->n_sel);
    TN_TRY_ALLOC(s, err, sizeof *s);
    r->base.schema = s;
    tn_schema *arrow = NULL;
    TN_TRY(stored_arrow_schema(r, &arrow, err));
    int rc = 0;
    for (int32_t i = 0; !rc && i < r->n_sel; i++) {
        if (all) {
            r->sel[i] = root->children[i];
            rc = tn_field_copy(&s->fields[i], &r->schema->arrow->fields[i], err);
            if (!rc)
                rc = arrow_field(r, arrow, i, r->sel[i], err);
            continue;
        }
        bool nullable = false;
        if (!o->columns[i] || !(r->sel[i] = resolve(root, o->columns[i], &nullable))) {
            rc = tn_error_set(err, TARN_ENOTFOUND, "%s: no column named \"%s\"", r->name,
                              o->columns[i] ? o->columns[i] : "(null)");
            break;
        }
        rc = tn_field_init(&s->fields[i], o->columns[i], tn_type_ref(r->sel[i]->type), nullable, err);
        for (int32_t j = 0; !rc && j < root->n_children; j++)
            if (root->children[j] == r->sel[i]) /* a top-level column, not a path into a struct */
                rc = arrow_field(r, arrow, i, r->sel[i], err);
    }
    tn_schema_unref(arrow);
    TN_TRY(rc);
    for (int32_t i = 0; i < r->meta->n_kv; i++)
        if (r->meta->kv_keys[i] && r->meta->kv_values[i] && strcmp(r->meta->kv_keys[i], "ARROW:schema") != 0)
            TN_TRY(tn_kv_add(&s->metadata, r->meta->kv_keys[i], r->meta->kv_values[i], err));
    return 0;
}

/* Parse the where option and bind each term to a leaf column outside
 * lists; a column not in the output is read for the filter only. */
static int bind_filter(pq_reader *r, const char *text, const tn_parquet_term *terms, int32_t n_terms,
                       tarn_error *err)
{
    if (text)
        TN_TRY(tn_pq_filter_parse(text, &r->filter, err));
    if (n_terms > 0)
        TN_TRY(tn_pq_filter_add_terms(&r->filter, terms, n_terms, err));
    for (int32_t i = 0; i < r->filter->n; i++) {
        pq_term *t = &r->filter->terms[i];
        bool nullable;
        char pos[32];
        const pq_node *node = resolve(r->schema->root, t->column, &nullable);
        if (!node)
            return tn_error_set(err, TARN_ENOTFOUND, "where: %s: no column named \"%s\"%s", r->name, t->column,
                                tn_pq_term_where(t, pos, sizeof pos, true, false));
        if (node->kind != PQN_LEAF || node->max_rep > 0)
            return tn_error_set(err, TARN_EUNSUPPORTED,
                                "where: %s: column \"%s\" is %s; only columns of single values can be compared%s",
                                r->name, t->column, node->kind == PQN_LEAF ? "inside a list" : "nested",
                                tn_pq_term_where(t, pos, sizeof pos, true, false));
        t->sel = -1;
        for (int32_t s = 0; s < r->n_sel; s++)
            if (r->sel[s] == node)
                t->sel = s;
        TN_TRY(tn_pq_filter_bind(t, node, r->name, err));
    }
    return 0;
}

/* The row groups of o (checked: in the file, ascending) into r->groups. */
static int select_groups(pq_reader *r, const tn_parquet_read_options *o, tarn_error *err)
{
    r->n_groups = r->meta->n_row_groups;
    if (!o || !o->row_groups)
        return 0;
    if (o->n_row_groups < 0)
        return tn_error_set(err, TARN_EINVAL, "%s: negative row group count", r->name);
    r->groups = tn_malloc(((size_t)o->n_row_groups + 1) * sizeof *r->groups);
    TN_TRY_ALLOC(r->groups, err, (size_t)o->n_row_groups * sizeof *r->groups);
    for (int32_t i = 0; i < o->n_row_groups; i++) {
        int32_t g = o->row_groups[i];
        if (g < 0 || g >= r->meta->n_row_groups || (i > 0 && g <= r->groups[i - 1]))
            return tn_error_set(err, TARN_EINVAL, "%s: row group %d is not in the file of %d or out of order", r->name,
                                g, r->meta->n_row_groups);
        r->groups[i] = g;
    }
    r->n_groups = o->n_row_groups;
    return 0;
}

/* Everything opening does after the footer and schema are known. */
static int open_rest(pq_reader *r, const tn_parquet_read_options *o, tarn_error *err)
{
    TN_TRY(select_groups(r, o, err));
    TN_TRY(select_columns(r, o, err));
    r->batch_size = o && o->batch_size > 0 ? o->batch_size : DEFAULT_BATCH;
    r->left = o && o->limit >= 0 ? o->limit : -1;
    r->skip = o && o->offset > 0 ? o->offset : 0;
    r->verify_crc = o && o->verify_crc;
    r->explain = o && o->explain;
    r->late = !(o && o->no_late_materialization);
    r->serial = o && (o->serial || o->row_groups); /* a row-group range: the caller partitions the work */
    r->disjoint = true;
    for (int32_t i = 0; i < r->n_sel; i++)
        for (int32_t j = 0; j < i; j++) {
            int32_t ai = r->sel[i]->first_leaf, bi = ai + count_leaves(r->sel[i]);
            int32_t aj = r->sel[j]->first_leaf, bj = aj + count_leaves(r->sel[j]);
            if (ai < bj && aj < bi)
                r->disjoint = false;
        }
    if (o && (o->filter || o->n_terms > 0))
        TN_TRY(bind_filter(r, o->filter, o->terms, o->n_terms, err));
    return 0;
}

static int open_common(pq_reader *r, const tn_parquet_read_options *o, tarn_error *err)
{
    TN_TRY(read_footer(r, err));
    r->chunk_pad = chunk_padding(r->meta->created_by);
    int rc = tn_pq_schema_build(r->meta, &r->schema, err);
    if (rc) {
        if (rc != TARN_ENOMEM && rc != TARN_EMEMLIMIT)
            tn_error_prefix(err, "%s: ", r->name);
        return rc;
    }
    TN_TRY(check_row_groups(r, err));
    return open_rest(r, o, err);
}

static int make(const char *name, pq_reader **out, tarn_error *err)
{
    pq_reader *r = tn_calloc(1, sizeof *r);
    TN_TRY_ALLOC(r, err, sizeof *r);
    r->fd = -1;
    r->base.next = next;
    r->base.destroy = destroy;
    if (!(r->name = tn_strdup(name))) {
        tn_free(r);
        return tn_error_oom(err, strlen(name));
    }
    *out = r;
    return 0;
}

static int finish(pq_reader *r, int rc, tn_reader **out)
{
    if (rc) {
        tn_reader_free(&r->base);
        return rc;
    }
    *out = &r->base;
    return 0;
}

int tn_parquet_open_file(const char *path, const tn_parquet_read_options *opts, tn_reader **out, tarn_error *err)
{
    *out = NULL;
    if (tn_remote_url(path)) /* ranges read through the object store */
        return tn_remote_parquet_open(path, opts, out, err);
    pq_reader *r = NULL;
    TN_TRY(make(path, &r, err));
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        int e = errno;
        int rc = tn_error_set(err, e == ENOENT ? TARN_ENOTFOUND : e == EACCES ? TARN_EPERM : TARN_EIO,
                              "%s: cannot open: %s", path, strerror(e));
        return finish(r, rc, out);
    }
    struct stat st;
    if (fstat(r->fd, &st) != 0)
        return finish(r, tn_error_set(err, TARN_EIO, "%s: cannot stat: %s", path, strerror(errno)), out);
    if (!S_ISREG(st.st_mode))
        return finish(r, tn_error_set(err, TARN_EINVAL, "%s: not a regular file", path), out);
    r->size = st.st_size;
    return finish(r, open_common(r, opts, err), out);
}

int tn_parquet_open_source(const tn_parquet_source *src, const char *name, const tn_parquet_read_options *opts,
                           tn_reader **out, tarn_error *err)
{
    *out = NULL;
    pq_reader *r = NULL;
    int rc = make(name, &r, err);
    if (rc) {
        if (src->close)
            src->close(src->ctx);
        return rc;
    }
    r->src = *src;
    r->size = src->size;
    return finish(r, open_common(r, opts, err), out);
}

int tn_parquet_open_memory(const uint8_t *data, size_t n, const char *name, const tn_parquet_read_options *opts,
                           tn_reader **out, tarn_error *err)
{
    *out = NULL;
    pq_reader *r = NULL;
    TN_TRY(make(name ? name : "parquet", &r, err));
    r->mem = data;
    r->size = (int64_t)n;
    return finish(r, open_common(r, opts, err), out);
}

int tn_parquet_file_info(const char *path, int64_t *num_rows, int32_t *n_row_groups, tarn_error *err)
{
    tn_reader *rd;
    TN_TRY(tn_parquet_open_file(path, NULL, &rd, err));
    pq_reader *r = (pq_reader *)rd;
    *num_rows = r->meta->num_rows;
    *n_row_groups = r->meta->n_row_groups;
    tn_reader_free(rd);
    return 0;
}

const struct pq_file_meta *tn_parquet_reader_meta(tn_reader *rd)
{
    return ((pq_reader *)rd)->meta;
}

void tn_parquet_reader_scan_stats(tn_reader *rd, tn_parquet_scan_stats *out)
{
    const pq_reader *r = (const pq_reader *)rd;
    *out = (tn_parquet_scan_stats){.row_groups_read = r->n.rg_read,
                                   .row_groups_by_stats = r->n.rg_pruned,
                                   .row_groups_by_bloom = r->n.rg_bloom,
                                   .pages_read = r->n.pages_read,
                                   .pages_by_index = r->n.pages_skipped,
                                   .rows_filtered = r->n.rows_filtered,
                                   .pages_late = r->n.pages_late,
                                   .values_late = r->n.values_late,
                                   .bytes_read = r->bytes_read};
}

int tn_parquet_open_shared(tn_reader *file, const tn_parquet_read_options *opts, tn_reader **out, tarn_error *err)
{
    *out = NULL;
    const pq_reader *f = (const pq_reader *)file;
    while (f->owner)
        f = f->owner;
    pq_reader *r = NULL;
    TN_TRY(make(f->name, &r, err));
    r->owner = (pq_reader *)f;
    r->fd = f->fd;
    r->mem = f->mem;
    if (f->src.read_at) { /* a remote file: a source context of its own */
        int rc = f->src.clone ? f->src.clone(f->src.ctx, &r->src.ctx, err)
                              : tn_error_set(err, TARN_EUNSUPPORTED, "%s: this source cannot be shared", f->name);
        if (rc)
            return finish(r, rc, out);
        r->src.size = f->src.size;
        r->src.read_at = f->src.read_at;
        r->src.prefetch = f->src.prefetch;
        r->src.close = f->src.close;
        r->src.clone = f->src.clone;
    }
    r->size = f->size;
    r->data_end = f->data_end;
    r->meta = f->meta;
    r->schema = f->schema;
    r->chunk_pad = f->chunk_pad;
    return finish(r, open_rest(r, opts, err), out);
}

int tn_parquet_prune_row_groups(tn_reader *file, const tn_parquet_term *terms, int32_t n, bool *excluded,
                                tarn_error *err)
{
    pq_reader *f = (pq_reader *)file;
    for (int32_t g = 0; g < f->meta->n_row_groups; g++)
        excluded[g] = false;
    if (n <= 0)
        return 0;
    /* a reader of no columns with just these terms: they bind as for a scan */
    tn_parquet_read_options o = {.columns = (const char *const[]){NULL}, .n_columns = 0, .limit = -1,
                                 .terms = terms, .n_terms = n};
    tn_reader *rd;
    TN_TRY(tn_parquet_open_shared(file, &o, &rd, err));
    pq_reader *r = (pq_reader *)rd;
    for (int32_t g = 0; g < r->meta->n_row_groups; g++) {
        const pq_row_group *rg = &r->meta->row_groups[g];
        for (int32_t i = 0; i < r->filter->n && !excluded[g]; i++) {
            const pq_term *t = &r->filter->terms[i];
            excluded[g] = tn_pq_filter_prunes(t, &rg->columns[t->node->leaf].meta, rg->num_rows);
        }
    }
    tn_reader_free(rd);
    return 0;
}
