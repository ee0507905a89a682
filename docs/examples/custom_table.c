/*
 * custom_table.c — a table whose rows come from the program: a provider
 * registered through tarn_table_vtable.
 *
 * The provider describes its schema, estimates its size (the optimizer uses
 * it to order joins) and answers scans. A scan request names the columns
 * wanted (projection pushdown) and the conjuncts of the WHERE clause that
 * have the shape `column op literal` or `column IS [NOT] NULL` (filter
 * pushdown). The provider may ignore any filter; for each one it applies
 * exactly it sets exact[i] = 1 and the engine does not check it again.
 *
 * This one serves the numbers 1..1000000 as (n BIGINT, square BIGINT,
 * parity VARCHAR) without storing them: it honours the projection and the
 * range filters on n, so `WHERE n BETWEEN 10 AND 14` produces five rows,
 * not a million. It prints each request it receives.
 *
 * Expected output: custom_table.out
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tarn/tarn.h>

#define ROWS 1000000
#define BATCH 65536

/* ---- arrays over malloc'ed buffers ---- */

typedef struct owned {
    void *mem[3];
    const void *bufs[3];
    struct ArrowArray *kids[3];
    struct ArrowArray kid_arrays[3];
} owned;

static void release_owned(struct ArrowArray *a)
{
    owned *o = a->private_data;
    for (int i = 0; i < 3; i++)
        free(o->mem[i]);
    for (int64_t c = 0; c < a->n_children; c++)
        if (a->children[c]->release)
            a->children[c]->release(a->children[c]);
    free(o);
    a->release = NULL;
}

static void array_of(struct ArrowArray *out, int64_t n, int nbuf, void *b1, void *b2)
{
    owned *o = calloc(1, sizeof *o);
    o->mem[1] = b1, o->mem[2] = b2;
    o->bufs[1] = b1, o->bufs[2] = b2;
    *out = (struct ArrowArray){.length = n, .n_buffers = nbuf, .buffers = o->bufs, .release = release_owned,
                               .private_data = o};
}

/* ---- schemas ---- */

static const char *const names[3] = {"n", "square", "parity"};
static const char *const formats[3] = {"l", "l", "u"};

typedef struct schema_mem {
    struct ArrowSchema fields[3];
    struct ArrowSchema *ptrs[3];
} schema_mem;

static void release_schema(struct ArrowSchema *s)
{
    free(s->private_data);
    s->release = NULL;
}
static void release_child(struct ArrowSchema *s) { s->release = NULL; }

/* A struct schema of the given columns of the table. */
static void schema_of(struct ArrowSchema *out, const int *cols, int ncols)
{
    schema_mem *m = calloc(1, sizeof *m);
    for (int i = 0; i < ncols; i++) {
        m->fields[i] = (struct ArrowSchema){.format = formats[cols[i]], .name = names[cols[i]],
                                            .release = release_child};
        m->ptrs[i] = &m->fields[i];
    }
    *out = (struct ArrowSchema){.format = "+s", .name = "", .n_children = ncols, .children = m->ptrs,
                                .release = release_schema, .private_data = m};
}

/* ---- the provider ---- */

typedef struct scan_state {
    int cols[3];
    int ncols;
    int64_t next, stop; /* rows [next, stop] remain, 1-based */
} scan_state;

static int table_schema(void *ctx, struct ArrowSchema *out, tarn_error *err)
{
    (void)ctx, (void)err;
    static const int all[3] = {0, 1, 2};
    schema_of(out, all, 3);
    return 0;
}

static int64_t table_rows(void *ctx)
{
    (void)ctx;
    return ROWS;
}

static int stream_schema(struct ArrowArrayStream *st, struct ArrowSchema *out)
{
    scan_state *ss = st->private_data;
    schema_of(out, ss->cols, ss->ncols);
    return 0;
}

static int stream_next(struct ArrowArrayStream *st, struct ArrowArray *out)
{
    scan_state *ss = st->private_data;
    memset(out, 0, sizeof *out);
    if (ss->next > ss->stop)
        return 0;
    int64_t n = ss->stop - ss->next + 1;
    if (n > BATCH)
        n = BATCH;
    owned *o = calloc(1, sizeof *o);
    for (int c = 0; c < ss->ncols; c++) {
        if (ss->cols[c] == 2) { /* parity: "odd" / "even" */
            int32_t *off = malloc((size_t)(n + 1) * sizeof *off);
            char *chars = malloc((size_t)n * 4);
            off[0] = 0;
            for (int64_t i = 0; i < n; i++) {
                int odd = (ss->next + i) % 2;
                memcpy(chars + off[i], odd ? "odd" : "even", odd ? 3 : 4);
                off[i + 1] = off[i] + (odd ? 3 : 4);
            }
            array_of(&o->kid_arrays[c], n, 3, off, chars);
        } else {
            int64_t *v = malloc((size_t)n * sizeof *v);
            for (int64_t i = 0; i < n; i++)
                v[i] = ss->cols[c] == 0 ? ss->next + i : (ss->next + i) * (ss->next + i);
            array_of(&o->kid_arrays[c], n, 2, v, NULL);
        }
        o->kids[c] = &o->kid_arrays[c];
    }
    *out = (struct ArrowArray){.length = n, .n_buffers = 1, .n_children = ss->ncols, .buffers = o->bufs,
                               .children = o->kids, .release = release_owned, .private_data = o};
    ss->next += n;
    return 0;
}

static const char *stream_error(struct ArrowArrayStream *st)
{
    (void)st;
    return "";
}

static void stream_release(struct ArrowArrayStream *st)
{
    free(st->private_data);
    st->release = NULL;
}

static const char *const op_names[] = {"=", "<>", "<", "<=", ">", ">=", "IS NULL", "IS NOT NULL"};

static int table_scan(void *ctx, const tarn_scan_request *req, struct ArrowArrayStream *out, int *exact,
                      tarn_error *err)
{
    (void)ctx, (void)err;
    scan_state *ss = calloc(1, sizeof *ss);
    ss->next = 1;
    ss->stop = ROWS;
    printf("scan: columns");
    ss->ncols = req->columns ? req->ncolumns : 3;
    for (int i = 0; i < ss->ncols; i++) {
        ss->cols[i] = req->columns ? req->columns[i] : i;
        printf(" %s", names[ss->cols[i]]);
    }
    for (int i = 0; i < req->nfilters; i++) {
        const tarn_filter *f = &req->filters[i];
        printf("; filter %s %s", names[f->column], op_names[f->op]);
        /* only comparisons of n with an int64 literal are applied here */
        if (f->column != 0 || !f->value || strcmp(f->value_type->format, "l") != 0) {
            printf(" (left to the engine)");
            continue;
        }
        int64_t v = ((const int64_t *)f->value->buffers[1])[f->value->offset];
        printf(" %lld", (long long)v);
        switch (f->op) {
        case TARN_FILTER_EQ: ss->next = v > ss->next ? v : ss->next; ss->stop = v < ss->stop ? v : ss->stop; break;
        case TARN_FILTER_GE: if (v > ss->next) ss->next = v; break;
        case TARN_FILTER_GT: if (v + 1 > ss->next) ss->next = v + 1; break;
        case TARN_FILTER_LE: if (v < ss->stop) ss->stop = v; break;
        case TARN_FILTER_LT: if (v - 1 < ss->stop) ss->stop = v - 1; break;
        default: printf(" (left to the engine)"); continue;
        }
        exact[i] = 1;
    }
    printf("\n");
    *out = (struct ArrowArrayStream){stream_schema, stream_next, stream_error, stream_release, ss};
    return 0;
}

static void table_release(void *ctx)
{
    (void)ctx;
    printf("(the session released the table)\n");
}

int main(void)
{
    tarn_error err;
    tarn_error_init(&err);
    tarn_session *s;
    if (tarn_session_open(&s, &err))
        return 1;
    tarn_table_vtable vt = {table_schema, table_rows, table_scan, table_release};
    if (tarn_session_register_table(s, "numbers", &vt, NULL, &err))
        goto fail;
    tarn_options *csv = tarn_options_create();
    tarn_options_set(csv, "format", "csv", &err);
    const char *queries[] = {
        "SELECT n, parity FROM numbers WHERE n BETWEEN 10 AND 14 ORDER BY n",
        "SELECT count(*) AS n, sum(square) AS s FROM numbers WHERE n <= 100 AND parity = 'odd'",
        "SELECT max(n) AS biggest FROM numbers",
    };
    for (int i = 0; i < 3; i++) {
        struct ArrowArrayStream out;
        printf("-- %s\n", queries[i]);
        fflush(stdout);
        if (tarn_sql_query(s, queries[i], &out, &err) || tarn_print(stdout, &out, csv, &err)) {
            tarn_options_free(csv);
            goto fail;
        }
    }
    tarn_options_free(csv);
    tarn_session_close(s);
    return 0;
fail:
    fprintf(stderr, "error: %s\n", err.message);
    tarn_session_close(s);
    return 1;
}
