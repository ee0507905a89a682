/*
 * prepared.c — a prepared statement with a $1 parameter, executed twice.
 *
 * Parameters travel as one row of an Arrow record batch: a struct array
 * whose column i is the value of $i+1. Here the batch is built by hand
 * with the C Data Interface: one int64 column, one row.
 *
 * Expected output: prepared.out
 */
#include <stdio.h>
#include <string.h>

#include <tarn/tarn.h>

/* ---- a one-row struct array {limit: int64} owned by this program ---- */

typedef struct param_batch {
    int64_t value;
    const void *col_buffers[2];
    const void *top_buffers[1];
    struct ArrowArray col;
    struct ArrowArray *children[1];
    struct ArrowSchema col_type;
    struct ArrowSchema *type_children[1];
} param_batch;

static void no_release_array(struct ArrowArray *a) { a->release = NULL; }
static void no_release_schema(struct ArrowSchema *s) { s->release = NULL; }

/* The engine releases what it is given; the memory here lives in *p. */
static void make_params(param_batch *p, int64_t v, struct ArrowArray *arr, struct ArrowSchema *schema)
{
    memset(p, 0, sizeof *p);
    p->value = v;
    p->col_buffers[0] = NULL; /* no validity bitmap: no nulls */
    p->col_buffers[1] = &p->value;
    p->col = (struct ArrowArray){.length = 1, .n_buffers = 2, .buffers = p->col_buffers, .release = no_release_array};
    p->children[0] = &p->col;
    *arr = (struct ArrowArray){.length = 1, .n_buffers = 1, .n_children = 1, .buffers = p->top_buffers,
                               .children = p->children, .release = no_release_array};
    p->col_type = (struct ArrowSchema){.format = "l", .name = "p1", .release = no_release_schema};
    p->type_children[0] = &p->col_type;
    *schema = (struct ArrowSchema){.format = "+s", .name = "", .n_children = 1, .children = p->type_children,
                                   .release = no_release_schema};
}

int main(void)
{
    tarn_error err;
    tarn_error_init(&err);
    tarn_session *s;
    if (tarn_session_open(&s, &err))
        return 1;
    if (tarn_sql_exec(s, "CREATE TABLE t AS SELECT i AS id, i * i AS sq FROM range(1, 11) r(i)", &err))
        goto fail;

    tarn_prepared *p;
    if (tarn_sql_prepare(s, "SELECT id, sq FROM t WHERE sq > $1 ORDER BY id LIMIT 3", &p, &err))
        goto fail;
    printf("parameters: %d\n", tarn_prepared_nparams(p));

    tarn_options *csv = tarn_options_create();
    tarn_options_set(csv, "format", "csv", &err);
    for (int64_t limit = 10; limit <= 50; limit += 40) {
        param_batch pb;
        struct ArrowArray arr;
        struct ArrowSchema schema;
        make_params(&pb, limit, &arr, &schema);
        struct ArrowArrayStream out;
        printf("-- sq > %lld\n", (long long)limit);
        if (tarn_prepared_execute(p, &arr, &schema, &out, &err) || tarn_print(stdout, &out, csv, &err)) {
            tarn_prepared_free(p);
            tarn_options_free(csv);
            goto fail;
        }
    }
    tarn_options_free(csv);
    tarn_prepared_free(p);
    tarn_session_close(s);
    return 0;
fail:
    fprintf(stderr, "error: %s\n", err.message);
    tarn_session_close(s);
    return 1;
}
