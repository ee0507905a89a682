/*
 * test_sql_catalog.c — the SQL catalog: memory tables (append, partitions,
 * projected scans), tables over files and globs (schema, one partition per
 * file, projection pushed to the reader, a file whose schema differs), and
 * the named entries (case-insensitive lookup, exact lookup, replace, drop
 * with a "did you mean" hint, order).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "formats/registry.h"
#include "sql/catalog.h"
#include "tn_test.h"

static tn_batch *example_batch(void)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_reader *r;
    tn_batch *b = NULL;
    if (tn_example_reader(&r, &err) == 0) {
        if (tn_reader_next(r, &b, &err) != 0)
            b = NULL;
        tn_reader_free(r);
    }
    return b;
}

/* Rows and columns of every batch a scan of partition part yields. */
static int scan_shape(tn_table *t, const tn_scan_request *req, int64_t part, int64_t *rows, int32_t *cols,
                      tarn_error *err)
{
    tn_reader *r;
    TN_TRY(t->ops->open(t, req, part, &r, NULL, err));
    *rows = 0;
    *cols = r->schema->n_fields;
    for (;;) {
        tn_batch *b;
        int rc = tn_reader_next(r, &b, err);
        if (rc != 0 || !b) {
            tn_reader_free(r);
            return rc;
        }
        *rows += b->length;
        tn_batch_unref(b);
    }
}

TEST(memory_table)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_batch *b = example_batch();
    CHECK(b != NULL);
    if (!b)
        return;
    tn_table *t;
    CHECK_OK(tn_table_memory_new("ex", b->schema, &t, &err), &err);
    int64_t parts;
    tn_scan_request all = {.limit = -1};
    CHECK_OK(t->ops->partitions(t, &all, &parts, &err), &err);
    CHECK_EQ_INT(parts, 1); /* empty: one empty partition */
    int64_t rows;
    int32_t cols;
    CHECK_OK(scan_shape(t, &all, 0, &rows, &cols, &err), &err);
    CHECK_EQ_INT(rows, 0);
    CHECK_OK(t->ops->append(t, b, &err), &err);
    CHECK_OK(t->ops->append(t, b, &err), &err);
    CHECK_OK(t->ops->partitions(t, &all, &parts, &err), &err);
    CHECK_EQ_INT(parts, 2);
    CHECK(t->est_rows == 2.0 * (double)b->length);
    int32_t two[] = {2, 0};
    tn_scan_request proj = {.columns = two, .ncolumns = 2, .limit = -1};
    CHECK_OK(scan_shape(t, &proj, 1, &rows, &cols, &err), &err);
    CHECK_EQ_INT(rows, b->length);
    CHECK_EQ_INT(cols, 2);
    tn_reader *r;
    CHECK_OK(t->ops->open(t, &proj, 0, &r, NULL, &err), &err);
    CHECK_STR(r->schema->fields[0].name, b->schema->fields[2].name);
    CHECK_STR(r->schema->fields[1].name, b->schema->fields[0].name);
    tn_reader_free(r);
    tn_table_unref(t);
    tn_batch_unref(b);
}

static char dir[64];

static void write_file(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(files_table)
{
    tarn_error err;
    tarn_error_init(&err);
    write_file("a.csv", "x,y,name\n1,2.5,ann\n3,4.5,bob\n");
    write_file("b.csv", "x,y,name\n5,6.5,cy\n");
    write_file("c.txt", "not csv\n");
    char glob[128];
    snprintf(glob, sizeof glob, "%s/*.csv", dir);
    tn_table *t;
    CHECK_OK(tn_table_files_new(glob, NULL, &t, &err), &err);
    if (!t)
        return;
    CHECK_EQ_INT(t->schema->n_fields, 3);
    CHECK_STR(t->schema->fields[2].name, "name");
    tn_scan_request all = {.limit = -1};
    int64_t parts, rows;
    int32_t cols;
    CHECK_OK(t->ops->partitions(t, &all, &parts, &err), &err);
    CHECK_EQ_INT(parts, 2);
    CHECK_OK(scan_shape(t, &all, 0, &rows, &cols, &err), &err);
    CHECK_EQ_INT(rows, 2);
    CHECK_EQ_INT(cols, 3);
    CHECK_OK(scan_shape(t, &all, 1, &rows, &cols, &err), &err);
    CHECK_EQ_INT(rows, 1);
    int32_t pick[] = {2};
    tn_scan_request proj = {.columns = pick, .ncolumns = 1, .limit = -1};
    CHECK_OK(scan_shape(t, &proj, 1, &rows, &cols, &err), &err);
    CHECK_EQ_INT(cols, 1);
    CHECK(t->ops->open(t, &all, 2, &(tn_reader *){NULL}, NULL, &err) == TARN_EINTERNAL);
    tn_table_unref(t);

    /* A second file whose columns differ is an error naming it. */
    write_file("b.csv", "x,y,name\n5,six,7\n");
    CHECK_OK(tn_table_files_new(glob, NULL, &t, &err), &err);
    if (t) {
        tn_reader *r = NULL;
        CHECK(t->ops->open(t, &all, 1, &r, NULL, &err) == TARN_ETYPE);
        CHECK_MSG(&err, "b.csv: its schema differs");
        tn_table_unref(t);
    }
    snprintf(glob, sizeof glob, "%s/*.parquet", dir);
    CHECK(tn_table_files_new(glob, NULL, &t, &err) == TARN_ENOTFOUND);
    CHECK_MSG(&err, "no file matches");
    snprintf(glob, sizeof glob, "%s/missing.csv", dir);
    CHECK(tn_table_files_new(glob, NULL, &t, &err) != TARN_OK);
    CHECK_MSG(&err, "missing.csv");
}

TEST(catalog_entries)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_catalog *c;
    CHECK_OK(tn_catalog_new(&c, &err), &err);
    tn_batch *b = example_batch();
    tn_table *t;
    CHECK_OK(tn_table_memory_new("Lineitem", b->schema, &t, &err), &err);
    CHECK_OK(tn_catalog_add_table(c, "Lineitem", t, false, false, &err), &err);
    CHECK_OK(tn_catalog_add_table(c, "orders", t, true, false, &err), &err);
    char *cols[] = {"a", "b"};
    CHECK_OK(tn_catalog_add_view(c, "big_orders", "SELECT 1, 2", cols, 2, false, false, &err), &err);
    CHECK(tn_catalog_add_table(c, "ORDERS", t, false, false, &err) == TARN_EINVAL);
    CHECK_MSG(&err, "table \"ORDERS\" already exists");
    CHECK_OK(tn_catalog_add_table(c, "ORDERS", t, false, true, &err), &err);
    const tn_catalog_entry *e = tn_catalog_find(c, "lineitem", false);
    CHECK(e && e->kind == TN_ENTRY_TABLE && e->table == t);
    CHECK(tn_catalog_find(c, "lineitem", true) == NULL);
    CHECK(tn_catalog_find(c, "Lineitem", true) == e);
    e = tn_catalog_find(c, "BIG_ORDERS", false);
    CHECK(e && e->kind == TN_ENTRY_VIEW && e->nview_columns == 2);
    if (e)
        CHECK_STR(e->view_sql, "SELECT 1, 2");
    CHECK_STR(tn_catalog_at(c, 0)->name, "big_orders");
    CHECK_STR(tn_catalog_at(c, 1)->name, "Lineitem");
    CHECK_STR(tn_catalog_at(c, 2)->name, "ORDERS");
    CHECK(tn_catalog_at(c, 3) == NULL);
    CHECK(tn_catalog_drop(c, "lineitme", TN_ENTRY_TABLE, &err) == TARN_ENOTFOUND);
    CHECK_MSG(&err, "did you mean \"Lineitem\"?");
    CHECK(tn_catalog_drop(c, "big_orders", TN_ENTRY_TABLE, &err) == TARN_ENOTFOUND);
    CHECK_OK(tn_catalog_drop(c, "big_orders", TN_ENTRY_VIEW, &err), &err);
    CHECK_OK(tn_catalog_drop(c, "lineitem", TN_ENTRY_TABLE, &err), &err);
    CHECK(tn_catalog_find(c, "lineitem", false) == NULL);
    tn_table_unref(t); /* the catalog still holds one */
    tn_catalog_free(c);
    tn_batch_unref(b);
}

static int build_catalog(void *ctx, tarn_error *err)
{
    tn_batch *b = ctx;
    tn_catalog *c;
    TN_TRY(tn_catalog_new(&c, err));
    tn_table *t;
    int rc = tn_table_memory_new("t", b->schema, &t, err);
    if (rc == 0) {
        rc = t->ops->append(t, b, err);
        for (int i = 0; rc == 0 && i < 40; i++) {
            char name[16];
            snprintf(name, sizeof name, "t%d", i);
            rc = tn_catalog_add_table(c, name, t, false, false, err);
        }
        if (rc == 0)
            rc = tn_catalog_add_view(c, "v", "SELECT 1", NULL, 0, false, false, err);
        tn_table_unref(t);
    }
    tn_catalog_free(c);
    return rc;
}

TEST(allocation_failures)
{
    tn_batch *b = example_batch();
    CHECK(tn_test_alloc_failures("catalog", build_catalog, b) > 10);
    tn_batch_unref(b);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tarn-catalog-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(memory_table);
    RUN(files_table);
    RUN(catalog_entries);
    RUN(allocation_failures);
    int rc = tn_test_done();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
