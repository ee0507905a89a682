/*
 * test_slt_render.c — the value rendering of the sqllogictest runner
 * (tests/slt/slt_render.c), checked without the SQL engine: the rows of
 * tarn's example dataset (every common type) against the text DuckDB's
 * values give through tests/slt/check_duckdb.mjs for the same data, and
 * the edge cases of floats, decimals and dates.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../slt/slt_render.c"
#include "tarn/tarn.h"
#include "tn_test.h"

/* The example's rows as check_duckdb.mjs renders them from the same data
 * written as Parquet and read by DuckDB (values joined by tabs). */
static const char *const example_rows[] = {
    "1\tAda\t19.99\t2\t2024-01-01\t2024-01-01 10:00:00+00\t[new, gift]\t{'w': 10.5, 'h': 2.0}\ttrue",
    "2\tGrace\t1250.00\t1\t2024-01-02\t2024-01-02 12:00:00.123456+00\t[]\t{'w': 30.0, 'h': 20.0}\ttrue",
    "3\tLinus\t3.50\tNULL\t2024-01-08\t2024-01-08 10:00:00+00\t[bulk]\t{'w': 1.0, 'h': 1.0}\tfalse",
    "4\tNULL\t42.00\t10\t2024-01-18\t2024-01-18 10:00:00.5+00\tNULL\t{'w': 0.25, 'h': 0.5}\ttrue",
    "5\tZoë\t899.90\t1\t2024-01-28\t2024-01-28 10:00:00+00\t[new]\t{'w': 120.0, 'h': 80.0}\tfalse",
    "6\tBarbara\t0.15\t100\t2024-02-07\t2024-02-07 10:00:00+00\t[bulk, sample]\t{'w': 2.0, 'h': 3.0}\ttrue",
    "7\tEdsger\t70.00\t3\t2024-02-17\t2024-02-17 10:00:00+00\t[gift]\t{'w': 15.0, 'h': 15.0}\ttrue",
    "8\tKen\t1234567.89\t1\t2024-02-27\t2024-02-27 10:00:00.999999+00\t[vip, new]\t{'w': 200.0, 'h': 100.0}\tfalse",
};

TEST(example_rows_as_duckdb)
{
    struct ArrowArrayStream st = {0};
    struct ArrowSchema schema = {0};
    tarn_error err;
    tarn_error_init(&err);
    CHECK(tarn_example(&st, &err) == TARN_OK);
    CHECK(st.get_schema(&st, &schema) == 0);
    int row = 0;
    for (;;) {
        struct ArrowArray b = {0};
        CHECK(st.get_next(&st, &b) == 0);
        if (!b.release)
            break;
        for (int64_t r = 0; r < b.length; r++, row++) {
            slt_buf line = {0};
            for (int64_t c = 0; c < schema.n_children; c++) {
                if (c)
                    slt_buf_puts(&line, "\t");
                slt_render_value(&line, schema.children[c], b.children[c], b.offset + r, 1);
            }
            CHECK(row < 8);
            if (row < 8)
                CHECK_STR(line.p, example_rows[row]);
            free(line.p);
        }
        b.release(&b);
    }
    CHECK_EQ_INT(row, 8);
    schema.release(&schema);
    st.release(&st);
}

static void check_double(double x, const char *want)
{
    slt_buf b = {0};
    slt_render_double(&b, x);
    CHECK_STR(b.p, want);
    free(b.p);
}

TEST(doubles_shortest_round_trip)
{
    check_double(2.0, "2.0");
    check_double(0.1 + 0.2, "0.30000000000000004");
    check_double(1.0 / 3, "0.3333333333333333");
    check_double(100.0, "100.0");
    check_double(0.0001, "0.0001");
    check_double(0.00001, "1e-5");
    check_double(1e-7, "1e-7");
    check_double(1e300, "1e+300");
    check_double(1e20, "1e+20");
    check_double(123456789012345678.0, "1.2345678901234568e+17");
    check_double(1e15, "1000000000000000.0");
    check_double(-2.5, "-2.5");
    check_double(-0.0, "-0.0");
    check_double(INFINITY, "inf");
    check_double(-INFINITY, "-inf");
    check_double(NAN, "nan");
    slt_buf b = {0};
    slt_render_float(&b, 0.1f);
    slt_buf_puts(&b, " ");
    slt_render_float(&b, 3.4e38f);
    slt_buf_puts(&b, " ");
    slt_render_float(&b, 123456789.0f);
    CHECK_STR(b.p, "0.1 3.4e+38 123456790.0");
    free(b.p);
}

/* A one-column array of 16-byte decimals, rendered row by row. */
TEST(decimals_keep_their_scale)
{
    __int128 max = 1; /* 10^38 - 1, the largest decimal(38) */
    for (int k = 0; k < 38; k++)
        max *= 10;
    __int128 v[4] = {-5, 0, max - 1, 1};
    const void *bufs[2] = {NULL, v};
    struct ArrowArray a = {.length = 4, .n_buffers = 2, .buffers = bufs};
    struct ArrowSchema s = {.format = "d:38,2"};
    const char *want[4] = {"-0.05", "0.00", "999999999999999999999999999999999999.99", "0.01"};
    for (int i = 0; i < 4; i++) {
        slt_buf b = {0};
        slt_render_value(&b, &s, &a, i, 1);
        CHECK_STR(b.p, want[i]);
        free(b.p);
    }
    struct ArrowSchema s0 = {.format = "d:38,0"};
    slt_buf b = {0};
    slt_render_value(&b, &s0, &a, 0, 1);
    CHECK_STR(b.p, "-5");
    free(b.p);
}

TEST(dates_times_and_empty_strings)
{
    int32_t days[3] = {-1, 0, 19782};
    const void *dbufs[2] = {NULL, days};
    struct ArrowArray d = {.length = 3, .n_buffers = 2, .buffers = dbufs};
    struct ArrowSchema ds = {.format = "tdD"};
    int64_t ts[2] = {-1, 86400000001LL};
    const void *tbufs[2] = {NULL, ts};
    struct ArrowArray t = {.length = 2, .n_buffers = 2, .buffers = tbufs};
    struct ArrowSchema tss = {.format = "tsu:"};
    int32_t off[3] = {0, 0, 1};
    const void *sbufs[3] = {NULL, off, "x"};
    struct ArrowArray sa = {.length = 2, .n_buffers = 3, .buffers = sbufs};
    struct ArrowSchema ss = {.format = "u"};
    slt_buf b = {0};
    for (int i = 0; i < 3; i++) {
        slt_render_value(&b, &ds, &d, i, 1);
        slt_buf_puts(&b, "|");
    }
    for (int i = 0; i < 2; i++) {
        slt_render_value(&b, &tss, &t, i, 1);
        slt_buf_puts(&b, "|");
    }
    slt_render_value(&b, &ss, &sa, 0, 1);
    slt_buf_puts(&b, "|");
    slt_render_value(&b, &ss, &sa, 1, 1);
    CHECK_STR(b.p, "1969-12-31|1970-01-01|2024-02-29|1969-12-31 23:59:59.999999|1970-01-02 00:00:00.000001|"
                   "(empty)|x");
    free(b.p);
}

int main(void)
{
    RUN(example_rows_as_duckdb);
    RUN(doubles_shortest_round_trip);
    RUN(decimals_keep_their_scale);
    RUN(dates_times_and_empty_strings);
    return tn_test_done();
}
