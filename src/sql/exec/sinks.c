/*
 * sinks.c — the statements that consume a query: INSERT INTO a table,
 * CREATE TABLE AS and COPY TO a file. INSERT and CREATE TABLE AS are sinks
 * that keep the batches of their tasks (combined in source order) and do
 * their work in finalize (append to the table, or create and register it);
 * COPY is a source that streams its child into tn_format_write (atomic).
 * As a source each emits one row: the number of rows, in an int64 column
 * "Count".
 */
#include <ctype.h>
#include <string.h>

#include "core/alloc.h"
#include "arrow/builder.h"
#include "formats/registry.h"
#include "sql/exec/exec.h"

typedef enum sink_kind { SINK_INSERT, SINK_CREATE, SINK_COPY } sink_kind;

typedef struct write_op {
    tn_op base;
    sink_kind kind;
    tn_table *table;      /* INSERT: a reference */
    tn_catalog *catalog;  /* CREATE */
    tn_schema *in_schema; /* the child's schema */
    tn_batch **items;
    size_t n, cap;
    int64_t count;
} write_op;

typedef struct write_local {
    tn_batch **items;
    size_t n, cap;
} write_local;

static int write_local_init(tn_op *op, void **local, tarn_error *err)
{
    (void)op;
    *local = tn_calloc(1, sizeof(write_local));
    TN_TRY_ALLOC(*local, err, sizeof(write_local));
    return TARN_OK;
}

static void write_local_free(tn_op *op, void *local)
{
    (void)op;
    write_local *l = local;
    tn_exec_free_batches(l->items, l->n);
    tn_free(l);
}

static int write_sink(tn_op *op, void *local, tn_batch *in, tarn_error *err)
{
    write_op *w = (write_op *)op;
    write_local *l = local;
    tn_schema *s = w->kind == SINK_INSERT ? w->table->schema : w->in_schema;
    tn_batch *b;
    TN_TRY(tn_exec_batch_of(s, in->length, in->columns, &b, err));
    return tn_batch_push(&l->items, &l->n, &l->cap, b, err);
}

static int write_combine(tn_op *op, void *local, tarn_error *err)
{
    write_op *w = (write_op *)op;
    write_local *l = local;
    int rc = TARN_OK;
    size_t i = 0;
    for (; rc == TARN_OK && i < l->n; i++)
        rc = tn_batch_push(&w->items, &w->n, &w->cap, l->items[i], err);
    for (; i < l->n; i++)
        tn_batch_unref(l->items[i]);
    tn_free(l->items);
    tn_free(l);
    return rc;
}

static int append_all(tn_table *t, tn_batch **items, size_t n, tarn_error *err)
{
    if (!t->ops->append)
        return tn_error_set(err, TARN_EUNSUPPORTED, "table \"%s\" is read-only", t->name ? t->name : "?");
    for (size_t i = 0; i < n; i++)
        TN_TRY(t->ops->append(t, items[i], err));
    return TARN_OK;
}

static int copy_options(const tn_plan *p, tarn_options **out, tarn_error *err)
{
    tarn_options *o = tarn_options_create();
    TN_TRY_ALLOC(o, err, sizeof(void *));
    int rc = TARN_OK;
    for (int32_t i = 0; rc == TARN_OK && i < p->noptions; i++) {
        char key[64];
        size_t k = 0;
        for (const char *c = p->option_keys[i]; *c && k < sizeof key - 1; c++)
            key[k++] = (char)tolower((unsigned char)*c);
        key[k] = 0;
        const char *v = p->option_values[i] ? p->option_values[i] : "true";
        rc = tarn_options_set(o, key, v, err);
    }
    if (rc) {
        tarn_options_free(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}

static int write_finalize(tn_op *op, tarn_error *err)
{
    write_op *w = (write_op *)op;
    const tn_plan *p = op->plan;
    for (size_t i = 0; i < w->n; i++)
        w->count += w->items[i]->length;
    if (w->kind == SINK_INSERT)
        return append_all(w->table, w->items, w->n, err);
    if (w->kind == SINK_CREATE) {
        if (!w->catalog)
            return tn_error_set(err, TARN_EINTERNAL, "CREATE TABLE AS without a catalog");
        if (p->if_not_exists && tn_catalog_find(w->catalog, p->name, false)) {
            w->count = 0;
            return TARN_OK;
        }
        tn_table *t;
        TN_TRY(tn_table_memory_new(p->name, w->in_schema, &t, err));
        int rc = append_all(t, w->items, w->n, err);
        if (rc == TARN_OK)
            rc = tn_catalog_add_table(w->catalog, p->name, t, p->temp, p->or_replace, err);
        tn_table_unref(t);
        return rc;
    }
    return tn_error_set(err, TARN_EINTERNAL, "COPY runs as a source");
}

static int write_partitions(tn_op *op, int64_t *n, tarn_error *err)
{
    (void)op;
    (void)err;
    *n = 1;
    return TARN_OK;
}

/* The one "Count" row. */
static int count_row(write_op *w, tn_batch **out, tarn_error *err)
{
    tn_op *op = &w->base;
    tn_builder *b = tn_builder_new(op->out->fields[0].type);
    TN_TRY_ALLOC(b, err, sizeof(void *));
    tn_array *a = NULL;
    int rc = tn_builder_append_int(b, w->count, err);
    if (rc == TARN_OK)
        rc = tn_builder_finish(b, &a, err);
    tn_builder_free(b);
    TN_TRY(rc);
    rc = tn_exec_batch_of(op->out, 1, &a, out, err);
    tn_array_unref(a);
    return rc;
}

static int write_next(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err)
{
    (void)part;
    *out = NULL;
    if (*state)
        return TARN_OK;
    *state = op;
    return count_row((write_op *)op, out, err);
}

static void write_done(tn_op *op, void *state)
{
    (void)op;
    (void)state;
}

static int write_explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    write_op *w = (write_op *)op;
    if (w->kind == SINK_INSERT)
        return tn_buf_printf(out, err, "%s", w->table->name ? w->table->name : "?");
    if (w->kind == SINK_CREATE)
        return tn_buf_printf(out, err, "%s", op->plan->name);
    return tn_buf_printf(out, err, "%s", op->plan->path);
}

static void write_destroy(tn_op *op)
{
    write_op *w = (write_op *)op;
    tn_exec_free_batches(w->items, w->n);
    if (w->table)
        tn_table_unref(w->table);
    tn_schema_unref(w->in_schema);
    tn_free(w);
}

#define WRITE_VTABLE(var, label)                                                                                \
    static const tn_op_vtable var = {                                                                           \
        .name = label,                                                                                          \
        .source_partitions = write_partitions,                                                                  \
        .source_next = write_next,                                                                              \
        .source_done = write_done,                                                                              \
        .sink_local_init = write_local_init,                                                                    \
        .sink = write_sink,                                                                                     \
        .sink_combine = write_combine,                                                                          \
        .sink_local_free = write_local_free,                                                                    \
        .sink_finalize = write_finalize,                                                                        \
        .explain = write_explain,                                                                               \
        .destroy = write_destroy,                                                                               \
    }

WRITE_VTABLE(insert_vtable, "INSERT");
WRITE_VTABLE(create_vtable, "CREATE_TABLE_AS");

/* COPY TO streams: its child runs on a thread of its own (tn_exec_stream)
 * while the file's writer pulls the batches, so a file far larger than
 * memory is written with the memory of a few batches. The writer is
 * atomic: a failure anywhere leaves no file. */
typedef struct counting_reader {
    tn_reader base;
    tn_reader *in;
    int64_t rows;
} counting_reader;

static int counting_next(tn_reader *r, tn_batch **out, tarn_error *err)
{
    counting_reader *c = (counting_reader *)r;
    TN_TRY(tn_reader_next(c->in, out, err));
    if (*out)
        c->rows += (*out)->length;
    return TARN_OK;
}

static void counting_destroy(tn_reader *r)
{
    counting_reader *c = (counting_reader *)r;
    tn_reader_free(c->in);
    tn_free(c);
}

static int copy_next(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err)
{
    (void)part;
    write_op *w = (write_op *)op;
    *out = NULL;
    if (*state)
        return TARN_OK;
    *state = op;
    counting_reader *c = tn_calloc(1, sizeof *c);
    TN_TRY_ALLOC(c, err, sizeof *c);
    int rc = tn_exec_stream(op->children[0], (int64_t)16 << 20, NULL, NULL, &c->in, err);
    if (rc) {
        tn_free(c);
        return rc;
    }
    c->base.schema = tn_schema_ref(w->in_schema);
    c->base.next = counting_next;
    c->base.destroy = counting_destroy;
    tarn_options *o = NULL;
    rc = copy_options(op->plan, &o, err);
    if (rc == TARN_OK)
        rc = tn_format_write(op->plan->path, &c->base, o, err);
    w->count = c->rows;
    tn_reader_free(&c->base); /* stops the child if the writer failed */
    tarn_options_free(o);
    TN_TRY(rc);
    return count_row(w, out, err);
}

static const tn_op_vtable copy_vtable = {
    .name = "COPY_TO_FILE",
    .source_partitions = write_partitions,
    .source_next = copy_next,
    .source_done = write_done,
    .explain = write_explain,
    .destroy = write_destroy,
};

static int write_new(tn_exec_ctx *ctx, const tn_plan *plan, sink_kind kind, const tn_op_vtable *vt, tn_op *child,
                     write_op **out, tarn_error *err)
{
    write_op *w = tn_op_alloc(sizeof *w, vt, ctx, plan, plan->out);
    TN_TRY_ALLOC(w, err, sizeof *w);
    w->kind = kind;
    w->in_schema = tn_schema_ref(child->out);
    int rc = TARN_OK;
    if (plan->out->n_fields != 1 || plan->out->fields[0].type->id != TN_INT64)
        rc = tn_error_set(err, TARN_EINTERNAL, "%s must report one int64 column", vt->name);
    if (rc == TARN_OK)
        rc = tn_op_set_children(&w->base, &child, 1, err);
    if (rc) {
        tn_op_free(&w->base);
        return rc;
    }
    *out = w;
    return TARN_OK;
}

int tn_op_insert_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_table *table, tn_op *child, tn_op **out,
                     tarn_error *err)
{
    if (child->out->n_fields != table->schema->n_fields)
        return tn_error_set(err, TARN_EINVAL, "table \"%s\" has %d columns but %d values were supplied",
                            table->name ? table->name : "?", table->schema->n_fields, child->out->n_fields);
    for (int32_t i = 0; i < table->schema->n_fields; i++)
        if (!tn_type_equals(child->out->fields[i].type, table->schema->fields[i].type))
            return tn_error_set(err, TARN_ETYPE, "INSERT into \"%s\": column \"%s\" gets values of another type",
                                table->name ? table->name : "?", table->schema->fields[i].name);
    write_op *w = NULL;
    TN_TRY(write_new(ctx, plan, SINK_INSERT, &insert_vtable, child, &w, err));
    w->table = tn_table_ref(table);
    *out = &w->base;
    return TARN_OK;
}

int tn_op_create_table_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_catalog *catalog, tn_op *child, tn_op **out,
                           tarn_error *err)
{
    write_op *w = NULL;
    TN_TRY(write_new(ctx, plan, SINK_CREATE, &create_vtable, child, &w, err));
    w->catalog = catalog;
    *out = &w->base;
    return TARN_OK;
}

int tn_op_copy_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_op *child, tn_op **out, tarn_error *err)
{
    write_op *w = NULL;
    TN_TRY(write_new(ctx, plan, SINK_COPY, &copy_vtable, child, &w, err));
    *out = &w->base;
    return TARN_OK;
}
