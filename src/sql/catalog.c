/*
 * catalog.c — tables (memory, files), their scans, and the catalog of named
 * tables and views. See catalog.h.
 */
#include "sql/catalog.h"

#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include <stdio.h>

#include "core/alloc.h"
#include "core/datetime.h"
#include "core/error.h"
#include "formats/options.h"
#include "formats/parquet/meta.h"
#include "formats/parquet/parquet.h"
#include "formats/registry.h"
#include "sql/exec/join_filter.h"
#include "store/store.h"

tn_table *tn_table_ref(tn_table *t)
{
    if (t)
        atomic_fetch_add(&t->refcount, 1);
    return t;
}

void tn_table_unref(tn_table *t)
{
    if (!t || atomic_fetch_sub(&t->refcount, 1) != 1)
        return;
    tn_schema *schema = t->schema;
    char *name = t->name;
    double *ndv = t->col_ndv;
    t->ops->destroy(t); /* frees the concrete struct */
    tn_schema_unref(schema);
    tn_free(name);
    tn_free(ndv);
}

/* ---- a reader that keeps some columns of another reader's batches ------------ */

typedef struct projecting {
    tn_reader base;
    tn_reader *in;
    int32_t *cols;
    int32_t n;
} projecting;

static int projecting_next(tn_reader *r, tn_batch **out, tarn_error *err)
{
    projecting *p = (projecting *)r;
    tn_batch *b;
    *out = NULL;
    TN_TRY(tn_reader_next(p->in, &b, err));
    if (!b)
        return TARN_OK;
    tn_batch *o = tn_batch_new(p->base.schema, b->length);
    if (!o) {
        tn_batch_unref(b);
        return tn_error_oom(err, sizeof *o);
    }
    for (int32_t i = 0; i < p->n; i++)
        o->columns[i] = tn_array_ref(b->columns[p->cols[i]]);
    tn_batch_unref(b);
    *out = o;
    return TARN_OK;
}

static void projecting_destroy(tn_reader *r)
{
    projecting *p = (projecting *)r;
    tn_reader_free(p->in);
    tn_free(p->cols);
    tn_free(p);
}

static bool identity(const tn_scan_request *req, int32_t nfields)
{
    if (!req->columns)
        return true;
    if (req->ncolumns != nfields)
        return false;
    for (int32_t i = 0; i < nfields; i++)
        if (req->columns[i] != i)
            return false;
    return true;
}

/* Wrap in so that its batches keep the columns req asks for (indexes into
 * `full`, the schema of the batches in produces). Takes in, also on failure. */
static int project_reader(tn_reader *in, const tn_schema *full, const tn_scan_request *req, tn_reader **out,
                          tarn_error *err)
{
    *out = NULL;
    if (identity(req, full->n_fields)) {
        *out = in;
        return TARN_OK;
    }
    projecting *p = tn_calloc(1, sizeof *p);
    tn_schema *s = tn_schema_new(req->ncolumns);
    int rc = p && s ? TARN_OK : tn_error_oom(err, sizeof *p);
    if (rc == TARN_OK)
        p->cols = tn_malloc(sizeof(int32_t) * (size_t)(req->ncolumns ? req->ncolumns : 1));
    if (rc == TARN_OK && !p->cols)
        rc = tn_error_oom(err, sizeof(int32_t) * (size_t)req->ncolumns);
    for (int32_t i = 0; rc == TARN_OK && i < req->ncolumns; i++) {
        int32_t c = req->columns[i];
        if (c < 0 || c >= full->n_fields)
            rc = tn_error_set(err, TARN_EINTERNAL, "scan of column %d of a table of %d columns", c, full->n_fields);
        else
            rc = tn_field_copy(&s->fields[i], &full->fields[c], err);
        if (rc == TARN_OK)
            p->cols[i] = c;
    }
    if (rc != TARN_OK) {
        tn_schema_unref(s);
        if (p)
            tn_free(p->cols);
        tn_free(p);
        tn_reader_free(in);
        return rc;
    }
    p->n = req->ncolumns;
    p->in = in;
    p->base.schema = s;
    p->base.next = projecting_next;
    p->base.destroy = projecting_destroy;
    *out = &p->base;
    return TARN_OK;
}

/* ---- memory tables ------------------------------------------------------------ */

typedef struct memory_table {
    tn_table base;
    tn_batch **batches;
    size_t n, cap;
} memory_table;

static int memory_partitions(tn_table *t, const tn_scan_request *req, int64_t *n, tarn_error *err)
{
    (void)req;
    (void)err;
    memory_table *m = (memory_table *)t;
    *n = m->n > 0 ? (int64_t)m->n : 1;
    return TARN_OK;
}

static int memory_open(tn_table *t, const tn_scan_request *req, int64_t part, tn_reader **out, bool *exact,
                       tarn_error *err)
{
    (void)exact;
    memory_table *m = (memory_table *)t;
    *out = NULL;
    tn_batch **one = part >= 0 && (size_t)part < m->n ? &m->batches[part] : NULL;
    tn_reader *r = tn_reader_from_batches(t->schema, one, one ? 1 : 0);
    TN_TRY_ALLOC(r, err, sizeof *r);
    return project_reader(r, t->schema, req, out, err);
}

static int memory_append(tn_table *t, tn_batch *b, tarn_error *err)
{
    memory_table *m = (memory_table *)t;
    if (b->schema->n_fields != t->schema->n_fields)
        return tn_error_set(err, TARN_EINTERNAL, "append of %d columns to table %s of %d", b->schema->n_fields,
                            t->name, t->schema->n_fields);
    TN_TRY(tn_batch_push(&m->batches, &m->n, &m->cap, tn_batch_ref(b), err));
    t->est_rows = (t->est_rows < 0 ? 0 : t->est_rows) + (double)b->length;
    return TARN_OK;
}

static void memory_destroy(tn_table *t)
{
    memory_table *m = (memory_table *)t;
    for (size_t i = 0; i < m->n; i++)
        tn_batch_unref(m->batches[i]);
    tn_free(m->batches);
    tn_free(m);
}

static const tn_table_ops memory_ops = {
    .partitions = memory_partitions, .open = memory_open, .append = memory_append, .destroy = memory_destroy};

int tn_table_memory_new(const char *name, tn_schema *schema, tn_table **out, tarn_error *err)
{
    *out = NULL;
    memory_table *m = tn_calloc(1, sizeof *m);
    char *nm = tn_strdup(name ? name : "");
    if (!m || !nm) {
        tn_free(m);
        tn_free(nm);
        return tn_error_oom(err, sizeof *m);
    }
    atomic_init(&m->base.refcount, 1);
    m->base.kind = TN_TABLE_MEMORY;
    m->base.ops = &memory_ops;
    m->base.schema = tn_schema_ref(schema);
    m->base.est_rows = 0;
    m->base.name = nm;
    *out = &m->base;
    return TARN_OK;
}

void tn_table_memory_batches(tn_table *t, tn_batch *const **batches, int64_t *n)
{
    memory_table *m = (memory_table *)t;
    *batches = m->batches;
    *n = (int64_t)m->n;
}

/* ---- tables over files -----------------------------------------------------------
 * A scan begins by reading the footer of each Parquet file once (a local
 * file, or an object of a store read by byte ranges)
 * (kept for the scan's life), dropping the row groups whose statistics rule
 * out the pushed filters or a dynamic join filter, and cutting the rest
 * into partitions of about PART_ROWS rows (one row group, or a few small
 * ones), so that one large file is read by every thread. Each partition
 * opens a reader of its row groups over the shared footer. Other files
 * (other formats, options a split cannot honour) are one
 * partition each, read through their format. */

#define PART_ROWS 60000

typedef struct files_table {
    tn_table base;
    char **paths;
    int64_t npaths;
    tarn_options *opts;
} files_table;

typedef struct files_part {
    int64_t file;
    int32_t first, n; /* groups[first, first + n) of the scan; n < 0: the whole file through its format */
} files_part;

typedef struct files_scan {
    tn_reader **footers;       /* per file: a reader holding its parsed footer, or NULL (not split) */
    int32_t *groups;           /* the row groups to read, file after file */
    files_part *parts;
    int64_t nparts;
    tn_exec_pq_terms pushed;   /* the filters that skip row groups by statistics */
    tn_parquet_term *rterms;   /* those the Parquet readers also filter rows with */
    int32_t *rconj;            /* per reader term: its conjunct (which is then exact) */
    int32_t nrterms;
    const char **names;        /* the requested columns by name */
    int32_t nnames;
    tn_parquet_read_options ro; /* what every partition's reader shares */
    tn_scan_stats stats;       /* files, row groups and the ones skipped while beginning */
    _Atomic int64_t rg_read, rg_by_stats, rg_by_bloom, pages_read, pages_pruned, bytes_read;
} files_scan;

/* Whether a file's reader produces the table's types: all of them, or
 * (req) the requested columns in order. */
static bool same_types(const tn_schema *got, const tn_schema *table, const tn_scan_request *req)
{
    int32_t n = req ? req->ncolumns : table->n_fields;
    if (got->n_fields != n)
        return false;
    for (int32_t i = 0; i < n; i++)
        if (!tn_type_equals(got->fields[i].type, table->fields[req ? req->columns[i] : i].type))
            return false;
    return true;
}

static bool is_parquet(const char *path, const tarn_options *o)
{
    const char *name = tarn_options_get(o, "format");
    const tn_format *fmt = name ? tn_format_by_name(name) : tn_format_by_path(path);
    return fmt && strcmp(fmt->name, "parquet") == 0;
}

/* Whether the table's reader options allow splitting a Parquet file: only
 * those a reader of some row groups honours the same way. */
static int split_options(const tarn_options *o, tn_parquet_read_options *ro, bool *ok, tarn_error *err)
{
    static const char *const allowed[] = {"format", "batch_size", "verify_crc", "where"};
    *ok = true;
    for (int i = 0; *ok && tarn_options_key_at(o, i); i++) {
        bool known = false;
        for (size_t k = 0; k < sizeof allowed / sizeof allowed[0]; k++)
            known = known || tn_opts_key_equal(tarn_options_key_at(o, i), allowed[k]);
        *ok = known;
    }
    if (!*ok)
        return TARN_OK;
    tn_opts v;
    TN_TRY(tn_opts_begin(&v, o, err));
    int rc = tn_opts_int(&v, "batch_size", 0, 1, INT64_MAX, &ro->batch_size, err);
    if (rc == TARN_OK)
        rc = tn_opts_bool(&v, "verify_crc", false, &ro->verify_crc, err);
    ro->filter = tarn_options_get(o, "where");
    tn_opts_end(&v);
    return rc;
}

static void scan_free(files_scan *s, int64_t nfiles)
{
    if (!s)
        return;
    for (int64_t i = 0; s->footers && i < nfiles; i++)
        tn_reader_free(s->footers[i]);
    tn_free(s->footers);
    tn_free(s->groups);
    tn_free(s->parts);
    tn_free(s->names);
    tn_free(s->rterms);
    tn_free(s->rconj);
    tn_exec_parquet_terms_reset(&s->pushed);
    tn_free(s);
}

static int add_part(files_scan *s, int64_t *cap, files_part p, tarn_error *err)
{
    if (s->nparts == *cap) {
        int64_t c = *cap ? *cap * 2 : 16;
        files_part *np = tn_realloc(s->parts, (size_t)c * sizeof *np);
        TN_TRY_ALLOC(np, err, (size_t)c * sizeof *np);
        s->parts = np;
        *cap = c;
    }
    s->parts[s->nparts++] = p;
    return TARN_OK;
}

/* The terms `column >= min AND column <= max` of dynamic join filter i
 * (literals in buf), or 0 terms when its column type has no such form. */
static int32_t join_range(const tn_table *t, const tn_scan_request *req, int32_t i, tn_parquet_term terms[2],
                          char buf[2][32])
{
    const tn_join_filter *f = req->join_filters[i];
    int32_t c = req->join_columns[i];
    if (c < 0 || c >= (req->columns ? req->ncolumns : t->schema->n_fields))
        return 0;
    const tn_field *fd = &t->schema->fields[req->columns ? req->columns[c] : c];
    tn_type_id id = fd->type->id;
    bool date = id == TN_DATE32;
    if (!(id >= TN_INT8 && id <= TN_INT64) && !(id >= TN_UINT8 && id <= TN_UINT32) && !date)
        return 0;
    int64_t v[2] = {f->min, f->max};
    for (int k = 0; k < 2; k++) {
        if (date) {
            int64_t y;
            int m, d;
            tn_civil_from_days(v[k], &y, &m, &d);
            if (y < 0 || y > 9999)
                return 0;
            snprintf(buf[k], 32, "%04lld-%02d-%02d", (long long)y, m, d);
        } else {
            snprintf(buf[k], 32, "%lld", (long long)v[k]);
        }
        terms[k] = (tn_parquet_term){.column = fd->name, .op = k ? TN_CMP_LE : TN_CMP_GE, .is_string = date,
                                     .literal = buf[k], .literal_len = strlen(buf[k])};
    }
    return 2;
}

/* Drop (in keep) the row groups of a file that dynamic join filters rule out. */
static int prune_by_joins(tn_table *t, const tn_scan_request *req, tn_reader *footer, bool *keep, bool *excl,
                          int32_t ngroups, int64_t *pruned, tarn_error *err)
{
    for (int32_t i = 0; i < req->njoin_filters; i++) {
        const tn_join_filter *f = req->join_filters[i];
        if (!atomic_load_explicit(&f->ready, memory_order_acquire))
            continue;
        tn_parquet_term terms[2];
        char buf[2][32];
        if (f->count == 0) { /* nothing on the build side: nothing matches */
            for (int32_t g = 0; g < ngroups; g++)
                excl[g] = true;
        } else {
            int32_t n = join_range(t, req, i, terms, buf);
            if (n == 0)
                continue;
            tarn_error e;
            tarn_error_init(&e);
            int rc = tn_parquet_prune_row_groups(footer, terms, n, excl, &e);
            if (rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT) {
                *err = e;
                return rc;
            }
            if (rc != TARN_OK) /* a key column the statistics cannot compare: no pruning */
                continue;
        }
        for (int32_t g = 0; g < ngroups; g++)
            if (keep[g] && excl[g]) {
                keep[g] = false;
                (*pruned)++;
            }
    }
    return TARN_OK;
}

/* Open the footer of file i and add its partitions. */
static int split_file(tn_table *t, const tn_scan_request *req, files_scan *s, int64_t i, int64_t *pcap,
                      int64_t *gcap, tarn_error *err)
{
    files_table *f = (files_table *)t;
    TN_TRY(tn_parquet_open_file(f->paths[i], NULL, &s->footers[i], err));
    const pq_file_meta *m = tn_parquet_reader_meta(s->footers[i]);
    int32_t ng = m->n_row_groups;
    s->stats.row_groups += ng;
    bool *keep = tn_malloc(((size_t)ng + 1) * 2 * sizeof(bool));
    TN_TRY_ALLOC(keep, err, (size_t)ng * 2);
    bool *excl = keep + ng + 1;
    for (int32_t g = 0; g < ng; g++)
        keep[g] = true;
    int rc = TARN_OK;
    if (s->pushed.n > 0) {
        rc = tn_parquet_prune_row_groups(s->footers[i], s->pushed.terms, s->pushed.n, excl, err);
        for (int32_t g = 0; rc == TARN_OK && g < ng; g++)
            if (excl[g]) {
                keep[g] = false;
                s->stats.rg_by_stats++;
            }
    }
    if (rc == TARN_OK)
        rc = prune_by_joins(t, req, s->footers[i], keep, excl, ng, &s->stats.rg_by_join, err);
    if (rc == TARN_OK && *gcap < (int64_t)s->stats.row_groups) {
        int32_t *ng2 = tn_realloc(s->groups, (size_t)s->stats.row_groups * sizeof *ng2);
        if (!ng2)
            rc = tn_error_oom(err, (size_t)s->stats.row_groups * sizeof *ng2);
        else {
            s->groups = ng2;
            *gcap = s->stats.row_groups;
        }
    }
    /* consecutive kept row groups, about PART_ROWS rows per partition; under
     * a limit one partition, so that the first rows are the file's first */
    int64_t at = 0;
    for (int64_t p = 0; p < s->nparts; p++)
        at += s->parts[p].n > 0 ? s->parts[p].n : 0;
    files_part cur = {i, (int32_t)at, 0};
    int64_t rows = 0;
    for (int32_t g = 0; rc == TARN_OK && g < ng; g++) {
        if (!keep[g])
            continue;
        s->groups[at++] = g;
        cur.n++;
        rows += m->row_groups[g].num_rows;
        if (rows >= PART_ROWS && req->limit < 0 && !req->in_order) {
            rc = add_part(s, pcap, cur, err);
            cur = (files_part){i, (int32_t)at, 0};
            rows = 0;
        }
    }
    if (rc == TARN_OK && cur.n > 0)
        rc = add_part(s, pcap, cur, err);
    tn_free(keep);
    return rc;
}

static int files_scan_begin(tn_table *t, tn_scan_request *req, tarn_error *err)
{
    files_table *f = (files_table *)t;
    files_scan *s = tn_calloc(1, sizeof *s);
    TN_TRY_ALLOC(s, err, sizeof *s);
    s->ro.limit = -1;
    s->stats.files = f->npaths;
    bool split = false;
    int rc = split_options(f->opts, &s->ro, &split, err);
    if (rc == TARN_OK && split) {
        s->footers = tn_calloc((size_t)f->npaths, sizeof *s->footers);
        s->nnames = req->columns ? req->ncolumns : t->schema->n_fields;
        s->names = tn_calloc((size_t)s->nnames + 1, sizeof *s->names);
        if (!s->footers || !s->names)
            rc = tn_error_oom(err, (size_t)f->npaths * sizeof *s->footers);
        for (int32_t i = 0; rc == TARN_OK && i < s->nnames; i++)
            s->names[i] = t->schema->fields[req->columns ? req->columns[i] : i].name;
        s->ro.columns = s->names;
        s->ro.n_columns = s->nnames;
        if (rc == TARN_OK && req->nfilters > 0)
            rc = tn_exec_parquet_terms(t->schema, req, &s->pushed, err);
        if (rc == TARN_OK && s->pushed.n > 0) {
            s->rterms = tn_malloc((size_t)s->pushed.n * sizeof *s->rterms);
            s->rconj = tn_malloc((size_t)s->pushed.n * sizeof *s->rconj);
            if (!s->rterms || !s->rconj)
                rc = tn_error_oom(err, (size_t)s->pushed.n * sizeof *s->rterms);
            for (int32_t k = 0; rc == TARN_OK && k < s->pushed.n; k++)
                if (s->pushed.row_filter[k]) {
                    s->rterms[s->nrterms] = s->pushed.terms[k];
                    s->rconj[s->nrterms++] = s->pushed.conjunct[k];
                }
        }
        s->ro.terms = s->rterms;
        s->ro.n_terms = s->nrterms;
        /* the limit counts rows after the filters: the reader's when it applies them all */
        if (req->limit >= 0 && s->nrterms == req->nfilters)
            s->ro.limit = req->limit;
    }
    int64_t pcap = 0, gcap = 0;
    for (int64_t i = 0; rc == TARN_OK && i < f->npaths; i++) {
        if (split && is_parquet(f->paths[i], f->opts))
            rc = split_file(t, req, s, i, &pcap, &gcap, err);
        else
            rc = add_part(s, &pcap, (files_part){i, 0, -1}, err);
    }
    /* every row group pruned: one empty partition (a scan has at least one) */
    if (rc == TARN_OK && s->nparts == 0)
        rc = add_part(s, &pcap, (files_part){0, 0, 0}, err);
    /* partitions already run in parallel: each reader decodes on its own
     * thread; a single one may decode its columns on the pool */
    s->ro.serial = s->nparts > 1;
    if (rc != TARN_OK) {
        scan_free(s, f->npaths);
        return rc;
    }
    req->state = s;
    return TARN_OK;
}

static void files_scan_end(tn_table *t, tn_scan_request *req)
{
    scan_free(req->state, ((files_table *)t)->npaths);
    req->state = NULL;
}

static void files_scan_stats(tn_table *t, const tn_scan_request *req, tn_scan_stats *out)
{
    (void)t;
    const files_scan *s = req->state;
    memset(out, 0, sizeof *out);
    if (!s)
        return;
    *out = s->stats;
    out->rg_by_stats += atomic_load(&s->rg_by_stats);
    out->rg_by_bloom = atomic_load(&s->rg_by_bloom);
    out->rg_read = atomic_load(&s->rg_read);
    out->pages_read = atomic_load(&s->pages_read);
    out->pages_pruned = atomic_load(&s->pages_pruned);
    out->bytes_read = atomic_load(&s->bytes_read);
    for (int64_t i = 0; s->footers && i < ((files_table *)t)->npaths; i++)
        if (s->footers[i]) { /* the footers read at the beginning */
            tn_parquet_scan_stats st;
            tn_parquet_reader_scan_stats(s->footers[i], &st);
            out->bytes_read += st.bytes_read;
        }
}

static int files_partitions(tn_table *t, const tn_scan_request *req, int64_t *n, tarn_error *err)
{
    (void)err;
    const files_scan *s = req->state;
    *n = s ? s->nparts : ((files_table *)t)->npaths;
    return TARN_OK;
}

/* ---- a reader that adds a Parquet reader's counts to its scan when freed ---- */

typedef struct counted {
    tn_reader base;
    tn_reader *in;
    tn_reader *pq;   /* the Parquet reader (in) */
    files_scan *scan;
} counted;

static int counted_next(tn_reader *r, tn_batch **out, tarn_error *err)
{
    return tn_reader_next(((counted *)r)->in, out, err);
}

static void counted_destroy(tn_reader *r)
{
    counted *c = (counted *)r;
    tn_parquet_scan_stats st;
    tn_parquet_reader_scan_stats(c->pq, &st);
    atomic_fetch_add(&c->scan->rg_read, st.row_groups_read);
    atomic_fetch_add(&c->scan->rg_by_stats, st.row_groups_by_stats);
    atomic_fetch_add(&c->scan->rg_by_bloom, st.row_groups_by_bloom);
    atomic_fetch_add(&c->scan->pages_read, st.pages_read);
    atomic_fetch_add(&c->scan->pages_pruned, st.pages_by_index);
    atomic_fetch_add(&c->scan->bytes_read, st.bytes_read);
    tn_reader_free(c->in);
    tn_free(c);
}

/* Finish the reader r of a Parquet file (pq: the Parquet reader inside it):
 * check its types, count what it reads, mark the conjuncts it applies. */
static int open_counted(tn_table *t, const tn_scan_request *req, files_scan *s, int64_t file, tn_reader *r,
                        tn_reader *pq, tn_reader **out, bool *exact, tarn_error *err)
{
    files_table *f = (files_table *)t;
    if (!same_types(r->schema, t->schema, req->columns ? req : NULL)) {
        tn_reader_free(r);
        return tn_error_set(err, TARN_ETYPE, "%s: its schema differs from %s's, the first file of the table",
                            f->paths[file], f->paths[0]);
    }
    counted *c = tn_calloc(1, sizeof *c);
    if (!c) {
        tn_reader_free(r);
        return tn_error_oom(err, sizeof *c);
    }
    c->in = r;
    c->pq = pq;
    c->scan = s;
    c->base.schema = tn_schema_ref(r->schema);
    c->base.next = counted_next;
    c->base.destroy = counted_destroy;
    for (int32_t k = 0; exact && k < s->nrterms; k++)
        exact[s->rconj[k]] = true;
    *out = &c->base;
    return TARN_OK;
}

/* A reader of the row groups of partition p over its file's footer. */
static int open_split(tn_table *t, const tn_scan_request *req, files_scan *s, const files_part *p, tn_reader **out,
                      bool *exact, tarn_error *err)
{
    tn_parquet_read_options o = s->ro;
    o.row_groups = s->groups ? &s->groups[p->first] : (const int32_t[]){0};
    o.n_row_groups = p->n;
    tn_reader *r = NULL;
    TN_TRY(tn_parquet_open_shared(s->footers[p->file], &o, &r, err));
    return open_counted(t, req, s, p->file, r, r, out, exact, err);
}

/* Whether the names can travel in the comma-separated `columns` option. */
static bool names_listable(const tn_schema *s, const tn_scan_request *req)
{
    for (int32_t i = 0; i < req->ncolumns; i++) {
        const char *name = s->fields[req->columns[i]].name;
        if (!name[0] || strpbrk(name, ",\"'") || name[0] == ' ' || name[strlen(name) - 1] == ' ')
            return false;
        for (int32_t j = 0; j < i; j++)
            if (req->columns[j] == req->columns[i])
                return false;
    }
    return true;
}

static int files_open(tn_table *t, const tn_scan_request *req, int64_t part, tn_reader **out, bool *exact,
                      tarn_error *err)
{
    files_table *f = (files_table *)t;
    files_scan *s = req->state;
    *out = NULL;
    int64_t nparts = s ? s->nparts : f->npaths;
    if (part < 0 || part >= nparts)
        return tn_error_set(err, TARN_EINTERNAL, "scan of partition %lld of %lld", (long long)part,
                            (long long)nparts);
    if (s && s->parts[part].n >= 0)
        return open_split(t, req, s, &s->parts[part], out, exact, err);
    int64_t file = s ? s->parts[part].file : part;
    tarn_options *o = tarn_options_create();
    TN_TRY_ALLOC(o, err, sizeof(void *));
    int rc = tn_options_merge(o, f->opts, err);
    /* Ask the reader for just the columns (Parquet then decodes only those). */
    bool pushed = rc == TARN_OK && req->columns && req->ncolumns > 0 && names_listable(t->schema, req);
    if (pushed) {
        tn_buf list;
        tn_buf_init(&list, 0);
        for (int32_t i = 0; rc == TARN_OK && i < req->ncolumns; i++)
            rc = tn_buf_printf(&list, err, "%s%s", i ? "," : "", t->schema->fields[req->columns[i]].name);
        if (rc == TARN_OK)
            rc = tarn_options_set(o, "columns", (const char *)list.data, err);
        tn_buf_reset(&list);
    }
    tn_reader *r = NULL;
    if (rc == TARN_OK)
        rc = tn_format_open(f->paths[file], o, &r, err);
    tarn_options_free(o);
    TN_TRY(rc);
    if (!same_types(r->schema, t->schema, pushed ? req : NULL)) {
        tn_reader_free(r);
        return tn_error_set(err, TARN_ETYPE, "%s: its schema differs from %s's, the first file of the table",
                            f->paths[file], f->paths[0]);
    }
    if (pushed) {
        *out = r;
        return TARN_OK;
    }
    return project_reader(r, t->schema, req, out, err);
}

static void files_destroy(tn_table *t)
{
    files_table *f = (files_table *)t;
    for (int64_t i = 0; i < f->npaths; i++)
        tn_free(f->paths[i]);
    tn_free(f->paths);
    tarn_options_free(f->opts);
    tn_free(f);
}

static const tn_table_ops files_ops = {.partitions = files_partitions,
                                       .open = files_open,
                                       .destroy = files_destroy,
                                       .scan_begin = files_scan_begin,
                                       .scan_end = files_scan_end,
                                       .scan_stats = files_scan_stats};

/* Expand location into paths: a glob lists its store, anything else is one path. */
static int expand(const char *location, char ***paths, int64_t *n, tarn_error *err)
{
    *paths = NULL;
    *n = 0;
    if (!tn_glob_has_magic(location)) {
        char **one = tn_malloc(sizeof *one);
        char *p = tn_strdup(location);
        if (!one || !p) {
            tn_free(one);
            tn_free(p);
            return tn_error_oom(err, strlen(location));
        }
        one[0] = p;
        *paths = one;
        *n = 1;
        return TARN_OK;
    }
    tn_url url;
    TN_TRY(tn_url_parse(location, &url, err));
    tn_store *s = NULL;
    int rc = tn_store_open(&url, &s, err);
    char **keys = NULL;
    int64_t nkeys = 0;
    if (rc == TARN_OK)
        rc = tn_store_glob(s, url.key, &keys, &nkeys, err);
    if (rc == TARN_OK && nkeys == 0)
        rc = tn_error_set(err, TARN_ENOTFOUND, "no file matches %s", location);
    /* Keys become full locations again: the URL's text before its key. */
    size_t len = strlen(location), klen = rc == TARN_OK ? strlen(url.key) : 0;
    size_t prefix = klen <= len && strcmp(location + len - klen, url.key) == 0 ? len - klen : 0;
    for (int64_t i = 0; rc == TARN_OK && i < nkeys; i++) {
        char *full = tn_sprintf("%.*s%s", (int)prefix, location, keys[i]);
        if (!full) {
            rc = tn_error_oom(err, prefix);
            break;
        }
        tn_free(keys[i]);
        keys[i] = full;
    }
    if (rc != TARN_OK) {
        for (int64_t i = 0; i < nkeys; i++)
            tn_free(keys[i]);
        tn_free(keys);
        keys = NULL;
        nkeys = 0;
    }
    tn_store_free(s);
    tn_url_reset(&url);
    *paths = keys;
    *n = nkeys;
    return rc;
}

int tn_table_files_new(const char *location, const tarn_options *opts, tn_table **out, tarn_error *err)
{
    *out = NULL;
    files_table *f = tn_calloc(1, sizeof *f);
    TN_TRY_ALLOC(f, err, sizeof *f);
    atomic_init(&f->base.refcount, 1);
    f->base.kind = TN_TABLE_FILES;
    f->base.ops = &files_ops;
    f->base.est_rows = -1;
    f->opts = tarn_options_create();
    f->base.name = tn_strdup(location);
    int rc = f->opts && f->base.name ? TARN_OK : tn_error_oom(err, strlen(location));
    if (rc == TARN_OK)
        rc = tn_options_merge(f->opts, opts, err);
    if (rc == TARN_OK)
        rc = expand(location, &f->paths, &f->npaths, err);
    tn_reader *first = NULL;
    if (rc == TARN_OK)
        rc = tn_format_open(f->paths[0], f->opts, &first, err);
    if (rc == TARN_OK) {
        f->base.schema = tn_schema_ref(first->schema);
        tn_reader_free(first);
        if (is_parquet(f->paths[0], f->opts))
            tn_table_parquet_stats(&f->base, f->paths, f->npaths);
    }
    if (rc != TARN_OK) {
        tn_table_unref(&f->base); /* refcount 1: destroys */
        return rc;
    }
    *out = &f->base;
    return TARN_OK;
}

/* ---- the catalog ------------------------------------------------------------------ */

struct tn_catalog {
    tn_catalog_entry **entries; /* sorted by name, case-insensitively */
    int32_t n, cap;
};

int tn_catalog_new(tn_catalog **out, tarn_error *err)
{
    *out = tn_calloc(1, sizeof **out);
    TN_TRY_ALLOC(*out, err, sizeof **out);
    return TARN_OK;
}

static void entry_free(tn_catalog_entry *e)
{
    if (!e)
        return;
    tn_table_unref(e->table);
    tn_free(e->name);
    tn_free(e->view_sql);
    for (int32_t i = 0; i < e->nview_columns; i++)
        tn_free(e->view_columns[i]);
    tn_free(e->view_columns);
    tn_free(e);
}

void tn_catalog_free(tn_catalog *c)
{
    if (!c)
        return;
    for (int32_t i = 0; i < c->n; i++)
        entry_free(c->entries[i]);
    tn_free(c->entries);
    tn_free(c);
}

/* Index of the first entry not below name (case-insensitive order). */
static int32_t lower_bound(const tn_catalog *c, const char *name)
{
    int32_t lo = 0, hi = c->n;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (strcasecmp(c->entries[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const tn_catalog_entry *tn_catalog_find(const tn_catalog *c, const char *name, bool exact)
{
    for (int32_t i = lower_bound(c, name); i < c->n && strcasecmp(c->entries[i]->name, name) == 0; i++)
        if (!exact || strcmp(c->entries[i]->name, name) == 0)
            return c->entries[i];
    return NULL;
}

static int32_t find_index(const tn_catalog *c, const char *name)
{
    const tn_catalog_entry *e = tn_catalog_find(c, name, false);
    for (int32_t i = 0; e && i < c->n; i++)
        if (c->entries[i] == e)
            return i;
    return -1;
}

/* Insert e (taken, also on failure), replacing an entry of the same name when replace. */
static int insert(tn_catalog *c, tn_catalog_entry *e, bool replace, tarn_error *err)
{
    int32_t at = find_index(c, e->name);
    if (at >= 0) {
        if (!replace) {
            int rc = tn_error_set(err, TARN_EINVAL, "%s \"%s\" already exists",
                                  c->entries[at]->kind == TN_ENTRY_VIEW ? "view" : "table", e->name);
            entry_free(e);
            return rc;
        }
        entry_free(c->entries[at]);
        c->entries[at] = e;
        return TARN_OK;
    }
    if (c->n == c->cap) {
        int32_t cap = c->cap ? c->cap * 2 : 16;
        tn_catalog_entry **p = tn_realloc(c->entries, sizeof *p * (size_t)cap);
        if (!p) {
            entry_free(e);
            return tn_error_oom(err, sizeof *p * (size_t)cap);
        }
        c->entries = p;
        c->cap = cap;
    }
    at = lower_bound(c, e->name);
    memmove(&c->entries[at + 1], &c->entries[at], sizeof *c->entries * (size_t)(c->n - at));
    c->entries[at] = e;
    c->n++;
    return TARN_OK;
}

int tn_catalog_add_table(tn_catalog *c, const char *name, tn_table *t, bool temp, bool replace, tarn_error *err)
{
    tn_catalog_entry *e = tn_calloc(1, sizeof *e);
    char *nm = tn_strdup(name);
    if (!e || !nm) {
        tn_free(e);
        tn_free(nm);
        return tn_error_oom(err, sizeof *e);
    }
    e->kind = TN_ENTRY_TABLE;
    e->name = nm;
    e->temp = temp;
    e->table = tn_table_ref(t);
    return insert(c, e, replace, err);
}

int tn_catalog_add_view(tn_catalog *c, const char *name, const char *sql, char *const *columns, int32_t ncolumns,
                        bool temp, bool replace, tarn_error *err)
{
    tn_catalog_entry *e = tn_calloc(1, sizeof *e);
    TN_TRY_ALLOC(e, err, sizeof *e);
    e->kind = TN_ENTRY_VIEW;
    e->temp = temp;
    e->name = tn_strdup(name);
    e->view_sql = tn_strdup(sql);
    bool ok = e->name && e->view_sql;
    if (ok && ncolumns > 0) {
        e->view_columns = tn_calloc((size_t)ncolumns, sizeof(char *));
        ok = e->view_columns != NULL;
        for (int32_t i = 0; ok && i < ncolumns; i++) {
            e->view_columns[i] = tn_strdup(columns[i]);
            ok = e->view_columns[i] != NULL;
            e->nview_columns = i + 1;
        }
    }
    if (!ok) {
        entry_free(e);
        return tn_error_oom(err, strlen(sql));
    }
    return insert(c, e, replace, err);
}

int tn_catalog_drop(tn_catalog *c, const char *name, tn_entry_kind kind, tarn_error *err)
{
    int32_t at = find_index(c, name);
    const char *what = kind == TN_ENTRY_VIEW ? "view" : "table";
    if (at < 0 || c->entries[at]->kind != kind) {
        const char *near = tn_catalog_closest(c, name);
        if (near)
            return tn_error_set(err, TARN_ENOTFOUND, "%s \"%s\" does not exist; did you mean \"%s\"?", what, name,
                                near);
        return tn_error_set(err, TARN_ENOTFOUND, "%s \"%s\" does not exist", what, name);
    }
    entry_free(c->entries[at]);
    memmove(&c->entries[at], &c->entries[at + 1], sizeof *c->entries * (size_t)(c->n - at - 1));
    c->n--;
    return TARN_OK;
}

const tn_catalog_entry *tn_catalog_at(const tn_catalog *c, int32_t i)
{
    return i >= 0 && i < c->n ? c->entries[i] : NULL;
}

const char *tn_catalog_closest(const tn_catalog *c, const char *name)
{
    if (c->n == 0)
        return NULL;
    const char **names = tn_malloc(sizeof *names * (size_t)c->n);
    if (!names)
        return NULL;
    for (int32_t i = 0; i < c->n; i++)
        names[i] = c->entries[i]->name;
    const char *best = tn_closest(name, names, c->n);
    tn_free(names);
    return best;
}
