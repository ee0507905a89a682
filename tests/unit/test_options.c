/*
 * test_options.c — the tarn_options bag and its consumption-tracking views,
 * the format registry (names, extensions, unknown options and formats), the
 * common reader options (columns, limit, batch_size), atomic text outputs
 * and the public read/write/print calls over Arrow C streams, including
 * allocation failures.
 */
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "formats/options.h"
#include "formats/registry.h"
#include "tn_test.h"

static tarn_error E;

TEST(bag)
{
    tarn_options *o = tarn_options_create();
    CHECK_OK(tarn_options_set(o, "Max-Rows", "10", &E), &E);
    CHECK_OK(tarn_options_set(o, "format", "csv", &E), &E);
    CHECK_STR(tarn_options_get(o, "max_rows"), "10");
    CHECK_STR(tarn_options_get(o, "MAX_ROWS"), "10");
    CHECK(tarn_options_get(o, "max rows") == NULL);
    CHECK_OK(tarn_options_set(o, "max_rows", "20", &E), &E); /* replaces */
    CHECK_STR(tarn_options_get(o, "Max-Rows"), "20");
    CHECK_EQ_INT(tarn_options_set(o, "", "x", &E), TARN_EINVAL);
    CHECK_EQ_INT(tarn_options_set(o, "k", NULL, &E), TARN_EINVAL);
    CHECK(tarn_options_get(NULL, "x") == NULL);
    tarn_options_free(o);
    tarn_options_free(NULL);
}

TEST(views)
{
    tarn_options *o = tarn_options_create();
    CHECK_OK(tarn_options_set(o, "limit", "12", &E), &E);
    CHECK_OK(tarn_options_set(o, "header", "No", &E), &E);
    CHECK_OK(tarn_options_set(o, "delimter", ";", &E), &E);
    tn_opts v;
    CHECK_OK(tn_opts_begin(&v, o, &E), &E);
    int64_t n;
    bool b;
    CHECK_OK(tn_opts_int(&v, "limit", -1, 0, 100, &n, &E), &E);
    CHECK_EQ_INT(n, 12);
    CHECK_OK(tn_opts_int(&v, "batch_size", 7, 1, 100, &n, &E), &E);
    CHECK_EQ_INT(n, 7);
    CHECK_OK(tn_opts_bool(&v, "header", true, &b, &E), &E);
    CHECK(!b);
    static const char *const known[] = {"limit", "header", "delimiter", NULL};
    CHECK_EQ_INT(tn_opts_check(&v, "format csv", known, &E), TARN_EINVAL);
    CHECK_STR(E.message, "unknown option 'delimter' for format csv: did you mean 'delimiter'? "
                         "(known: limit, header, delimiter)");
    CHECK(tn_opts_str(&v, "DELIMTER") != NULL);
    CHECK_OK(tn_opts_check(&v, "format csv", known, &E), &E);
    tn_opts_end(&v);

    CHECK_OK(tarn_options_set(o, "limit", "x12", &E), &E);
    CHECK_OK(tarn_options_set(o, "header", "maybe", &E), &E);
    CHECK_OK(tn_opts_begin(&v, o, &E), &E);
    CHECK_EQ_INT(tn_opts_int(&v, "limit", 0, 0, 100, &n, &E), TARN_EINVAL);
    CHECK_STR(E.message, "option 'limit': expected an integer, got 'x12'");
    CHECK_EQ_INT(tn_opts_bool(&v, "header", true, &b, &E), TARN_EINVAL);
    CHECK_MSG(&E, "expected true or false, got 'maybe'");
    tn_opts_end(&v);
    CHECK_OK(tarn_options_set(o, "limit", "1000", &E), &E);
    CHECK_OK(tn_opts_begin(&v, o, &E), &E);
    CHECK_EQ_INT(tn_opts_int(&v, "limit", 0, 0, 100, &n, &E), TARN_EINVAL);
    CHECK_STR(E.message, "option 'limit': 1000 is outside [0, 100]");
    tn_opts_end(&v);
    tarn_options_free(o);

    /* an empty view: nothing to complain about */
    CHECK_OK(tn_opts_begin(&v, NULL, &E), &E);
    CHECK(tn_opts_str(&v, "x") == NULL);
    CHECK_OK(tn_opts_check(&v, "x", NULL, &E), &E);
    tn_opts_end(&v);
}

TEST(closest)
{
    static const char *const names[] = {"customer", "amount", "id"};
    CHECK_STR(tn_closest("custmer", names, 3), "customer");
    CHECK_STR(tn_closest("AMOUNT", names, 3), "amount");
    CHECK(tn_closest("zzzzzz", names, 3) == NULL);
    CHECK(tn_closest("x", names, 0) == NULL);
}

TEST(registry)
{
    CHECK_STR(tarn_format_from_path("a/b.ARROW"), "ipc");
    CHECK_STR(tarn_format_from_path("x.feather"), "ipc");
    CHECK_STR(tarn_format_from_path("x.arrows"), "ipc_stream");
    CHECK_STR(tarn_format_from_path("x.csv"), "csv");
    CHECK_STR(tarn_format_from_path("x.ndjson"), "jsonl");
    CHECK(tarn_format_from_path("x.arrow.bak") == NULL);
    CHECK(tarn_format_from_path(".arrow") == NULL);
    CHECK_STR(tarn_format_name(0), "ipc");
    int n = 0;
    while (tarn_format_name(n))
        n++;
    CHECK_EQ_INT(n, 5);
    CHECK(tn_format_by_name("JSONL") == tn_format_at(3));
    CHECK_STR(tarn_format_from_path("lake/x.parquet"), "parquet");
}

static char dir[64];

static char *path_in(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

/* Entries of the test directory. */
static int files_in_dir(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.' || strstr(e->d_name, ".tmp-") != NULL;
    if (d)
        closedir(d);
    return n;
}

static tarn_options *opts_of(const char *k1, const char *v1, const char *k2, const char *v2)
{
    tarn_options *o = tarn_options_create();
    if (k1)
        CHECK_OK(tarn_options_set(o, k1, v1, &E), &E);
    if (k2)
        CHECK_OK(tarn_options_set(o, k2, v2, &E), &E);
    return o;
}

static void write_example(const char *name)
{
    tn_reader *r;
    CHECK_OK(tn_example_reader(&r, &E), &E);
    CHECK_OK(tn_format_write(path_in(name), r, NULL, &E), &E);
    tn_reader_free(r);
}

TEST(reader_options)
{
    write_example("o.arrow");
    tarn_options *o = opts_of("columns", "paid, id", "batch_size", "3");
    tn_reader *r;
    CHECK_OK(tn_format_open(path_in("o.arrow"), o, &r, &E), &E);
    CHECK_EQ_INT(r->schema->n_fields, 2);
    CHECK_STR(r->schema->fields[0].name, "paid");
    CHECK_STR(r->schema->fields[1].name, "id");
    int64_t sizes[8], nb = 0, total = 0;
    for (tn_batch *b; nb < 8;) {
        CHECK_OK(tn_reader_next(r, &b, &E), &E);
        if (!b)
            break;
        CHECK_EQ_INT(b->schema->n_fields, 2);
        CHECK_EQ_INT(TN_VALUES(b->columns[1], int64_t)[0], total + 1);
        sizes[nb++] = b->length;
        total += b->length;
        tn_batch_unref(b);
    }
    CHECK_EQ_INT(nb, 3);
    CHECK_EQ_INT(sizes[0] + 10 * sizes[1] + 100 * sizes[2], 3 + 30 + 200);
    tn_reader_free(r);
    tarn_options_free(o);

    o = opts_of("limit", "5", "batch_size", "2");
    CHECK_OK(tn_format_open(path_in("o.arrow"), o, &r, &E), &E);
    total = 0;
    for (tn_batch *b;;) {
        CHECK_OK(tn_reader_next(r, &b, &E), &E);
        if (!b)
            break;
        CHECK(b->length <= 2);
        total += b->length;
        tn_batch_unref(b);
    }
    CHECK_EQ_INT(total, 5);
    tn_reader_free(r);
    tarn_options_free(o);

    o = opts_of("columns", "id,custmer", NULL, NULL);
    CHECK_EQ_INT(tn_format_open(path_in("o.arrow"), o, &r, &E), TARN_ENOTFOUND);
    CHECK_MSG(&E, "column 'custmer' not found in ");
    CHECK_MSG(&E, "o.arrow (closest: 'customer')");
    tarn_options_free(o);
    o = opts_of("columns", "id,id", NULL, NULL);
    CHECK_EQ_INT(tn_format_open(path_in("o.arrow"), o, &r, &E), TARN_EINVAL);
    CHECK_MSG(&E, "column 'id' is listed twice");
    tarn_options_free(o);
    o = opts_of("colums", "id", NULL, NULL);
    CHECK_EQ_INT(tn_format_open(path_in("o.arrow"), o, &r, &E), TARN_EINVAL);
    CHECK_STR(E.message, "unknown option 'colums' for reading format ipc: did you mean 'columns'? "
                         "(known: format, columns, limit, batch_size)");
    tarn_options_free(o);
    o = opts_of("format", "parquetx", NULL, NULL);
    CHECK_EQ_INT(tn_format_open(path_in("o.arrow"), o, &r, &E), TARN_EINVAL);
    CHECK_STR(E.message, "unknown format 'parquetx' (known: ipc, ipc_stream, csv, jsonl, parquet)");
    tarn_options_free(o);
    CHECK_EQ_INT(tn_format_open(path_in("missing.arrow"), NULL, &r, &E), TARN_ENOTFOUND);
    CHECK_MSG(&E, "missing.arrow");
    CHECK_EQ_INT(tn_format_open(path_in("o.csv"), NULL, &r, &E), TARN_ENOTFOUND);
    unlink(path_in("o.arrow"));
    CHECK_EQ_INT(files_in_dir(), 0);
}

/* A reader whose second next() fails: a writer must leave nothing behind. */
typedef struct broken {
    tn_reader base;
    tn_reader *in;
    int calls;
} broken;

static int broken_next(tn_reader *r, tn_batch **out, tarn_error *err)
{
    broken *b = (broken *)r;
    if (++b->calls == 2)
        return tn_error_set(err, TARN_ECORRUPT, "batch 2 is bad");
    return tn_reader_next(b->in, out, err);
}

static void broken_destroy(tn_reader *r)
{
    tn_reader_free(((broken *)r)->in);
    tn_free(r);
}

TEST(writers)
{
    static const char *const names[] = {"x.csv", "x.jsonl", "x.arrows"};
    for (int k = 0; k < 3; k++) {
        broken *b = tn_calloc(1, sizeof *b);
        CHECK_OK(tn_example_reader(&b->in, &E), &E);
        b->base.schema = tn_schema_ref(b->in->schema);
        b->base.next = broken_next;
        b->base.destroy = broken_destroy;
        tn_reader *r = &b->base;
        /* the example is a single batch; batch_size makes several */
        tarn_options *o = opts_of(NULL, NULL, NULL, NULL);
        CHECK_EQ_INT(tn_format_write(path_in(names[k]), r, o, &E), TARN_ECORRUPT);
        CHECK_MSG(&E, "batch 2 is bad");
        tarn_options_free(o);
        tn_reader_free(r);
        CHECK_EQ_INT(files_in_dir(), 0);
    }
    tn_reader *r;
    CHECK_OK(tn_example_reader(&r, &E), &E);
    tarn_options *o = opts_of("delimiter", "||", NULL, NULL);
    CHECK_EQ_INT(tn_format_write(path_in("y.csv"), r, o, &E), TARN_EINVAL);
    CHECK_MSG(&E, "expected one character");
    tarn_options_free(o);
    o = opts_of("delimiter", ";", NULL, NULL);
    CHECK_EQ_INT(tn_format_write(path_in("y.jsonl"), r, o, &E), TARN_EINVAL);
    CHECK_STR(E.message, "unknown option 'delimiter' for writing format jsonl (known: format, compression)");
    tarn_options_free(o);
    o = opts_of("compression", "zstd:x", NULL, NULL);
    CHECK_EQ_INT(tn_format_write(path_in("y.arrow"), r, o, &E), TARN_EINVAL);
    CHECK_MSG(&E, "bad level 'x'");
    tarn_options_free(o);
    CHECK_EQ_INT(files_in_dir(), 0);
    o = opts_of("format", "csv", "header", "false");
    CHECK_OK(tn_format_write(path_in("y.txt"), r, o, &E), &E);
    tarn_options_free(o);
    tn_reader_free(r);
    FILE *f = fopen(path_in("y.txt"), "r");
    char line[256] = "";
    CHECK(f && fgets(line, sizeof line, f));
    CHECK_STR(line, "1,Ada,19.99,2,2024-01-01,2024-01-01T10:00:00.000000Z,\"[\"\"new\"\", \"\"gift\"\"]\","
                    "\"{\"\"w\"\": 10.5, \"\"h\"\": 2.0}\",true\n");
    if (f)
        fclose(f);
    unlink(path_in("y.txt"));
}

static char *slurp(FILE *f)
{
    long n = ftell(f);
    rewind(f);
    char *s = calloc(1, (size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n)
        s[0] = 0;
    return s;
}

TEST(public_streams)
{
    struct ArrowArrayStream s;
    CHECK_OK(tarn_example(&s, &E), &E);
    tarn_options *o = opts_of("compression", "lz4", NULL, NULL);
    CHECK_OK(tarn_write(path_in("p.arrows"), &s, o, &E), &E);
    CHECK(s.release == NULL);
    tarn_options_free(o);
    o = opts_of("columns", "customer,amount", "limit", "2");
    CHECK_OK(tarn_read(path_in("p.arrows"), o, &s, &E), &E);
    tarn_options_free(o);
    FILE *f = tmpfile();
    o = opts_of("format", "jsonl", NULL, NULL);
    CHECK_OK(tarn_print(f, &s, o, &E), &E);
    char *text = slurp(f);
    CHECK_STR(text, "{\"customer\":\"Ada\",\"amount\":19.99}\n{\"customer\":\"Grace\",\"amount\":1250.00}\n");
    free(text);
    fclose(f);
    tarn_options_free(o);

    /* unknown print options fail before anything is printed; the stream is consumed */
    CHECK_OK(tarn_read(path_in("p.arrows"), NULL, &s, &E), &E);
    o = opts_of("max_rowz", "3", NULL, NULL);
    f = tmpfile();
    CHECK_EQ_INT(tarn_print(f, &s, o, &E), TARN_EINVAL);
    CHECK_MSG(&E, "unknown option 'max_rowz' for printing: did you mean 'max_rows'?");
    CHECK_EQ_INT(ftell(f), 0);
    CHECK(s.release == NULL);
    tarn_options_free(o);
    CHECK_OK(tarn_read(path_in("p.arrows"), NULL, &s, &E), &E);
    o = opts_of("format", "xml", NULL, NULL);
    CHECK_EQ_INT(tarn_print(f, &s, o, &E), TARN_EINVAL);
    CHECK_MSG(&E, "unknown print format 'xml'");
    tarn_options_free(o);
    CHECK_OK(tarn_read(path_in("p.arrows"), NULL, &s, &E), &E);
    o = opts_of("max_rows", "2", "max_width", "30");
    CHECK_OK(tarn_print(f, &s, o, &E), &E);
    text = slurp(f);
    CHECK(strstr(text, "│ 8 rows (2 shown)    │\n│ 9 columns (2 shown) │\n") != NULL);
    free(text);
    fclose(f);
    tarn_options_free(o);
    unlink(path_in("p.arrows"));
}

/* Allocation failures through open (with shaping), print and text writes. */
static int open_and_print(void *ctx, tarn_error *err)
{
    tarn_options *o = tarn_options_create();
    if (!o)
        return tn_error_oom(err, 1);
    int rc = tarn_options_set(o, "columns", "tags,size,id", err);
    if (rc == TARN_OK)
        rc = tarn_options_set(o, "batch_size", "3", err);
    tn_reader *r = NULL;
    if (rc == TARN_OK)
        rc = tn_format_open(path_in("f.arrow"), o, &r, err);
    tarn_options_free(o);
    if (rc != TARN_OK)
        return rc;
    o = tarn_options_create();
    rc = o ? tarn_options_set(o, "format", (const char *)ctx, err) : tn_error_oom(err, 1);
    if (rc == TARN_OK)
        rc = tarn_options_set(o, "max_rows", "4", err);
    FILE *f = fopen("/dev/null", "w");
    if (rc == TARN_OK && strcmp(ctx, "table") == 0)
        rc = tn_format_print(f, r, o, err);
    else if (rc == TARN_OK)
        rc = tn_format_write(path_in(strcmp(ctx, "csv") == 0 ? "g.csv" : "g.jsonl"), r, NULL, err);
    fclose(f);
    tarn_options_free(o);
    tn_reader_free(r);
    return rc;
}

TEST(alloc_failures)
{
    write_example("f.arrow");
    CHECK(tn_test_alloc_failures("open+print table", open_and_print, "table") > 10);
    CHECK(tn_test_alloc_failures("open+write csv", open_and_print, "csv") > 10);
    CHECK(tn_test_alloc_failures("open+write jsonl", open_and_print, "jsonl") > 10);
    unlink(path_in("f.arrow"));
    unlink(path_in("g.csv"));
    unlink(path_in("g.jsonl"));
    CHECK_EQ_INT(files_in_dir(), 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tarn-test-options-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(bag);
    RUN(views);
    RUN(closest);
    RUN(registry);
    RUN(reader_options);
    RUN(writers);
    RUN(public_streams);
    RUN(alloc_failures);
    rmdir(dir);
    return tn_test_done();
}
