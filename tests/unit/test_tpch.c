/*
 * test_tpch.c — the TPC-H generator at SF 0.01: exact row counts, key
 * integrity (every foreign key resolves), value ranges and formulas of the
 * specification, derived columns, and determinism across runs, chunkings
 * and batch sizes.
 *
 * Run with arguments `write DIR SF` it instead writes the eight tables as
 * pipe-delimited .tbl files through the public tarn_gen_tpch, a test-only
 * path the interop and bench scripts use when the tarn CLI is not built.
 */
#include <stdbool.h>
#include <unistd.h>

#include "arrow/c_data.h"
#include "core/hash.h"
#include "gen/tpch.h"
#include "tarn/formats.h"
#include "tarn/gen.h"
#include "tn_test.h"

#define SF 0.01

typedef struct tab {
    tn_batch **b;
    int64_t n_batches;
    int64_t rows;
} tab;

static void tab_free(tab *t)
{
    for (int64_t i = 0; i < t->n_batches; i++)
        tn_batch_unref(t->b[i]);
    tn_free(t->b);
    memset(t, 0, sizeof(*t));
}

/* All batches of the table, chunk after chunk. */
static int load(tn_tpch_table tb, double sf, int64_t chunks, int64_t batch_rows, tab *t)
{
    memset(t, 0, sizeof(*t));
    tarn_error err;
    for (int64_t c = 0; c < chunks; c++) {
        tn_reader *r;
        if (tn_tpch_open(tb, sf, c, chunks, batch_rows, &r, &err) != 0) {
            fprintf(stderr, "open: %s\n", err.message);
            return -1;
        }
        for (;;) {
            tn_batch *b;
            if (tn_reader_next(r, &b, &err) != 0) {
                fprintf(stderr, "next: %s\n", err.message);
                tn_reader_free(r);
                return -1;
            }
            if (!b)
                break;
            if (tn_batch_check(b, &err) != 0)
                fprintf(stderr, "check: %s\n", err.message);
            t->b = tn_realloc(t->b, (size_t)(t->n_batches + 1) * sizeof(*t->b));
            t->b[t->n_batches++] = b;
            t->rows += b->length;
        }
        tn_reader_free(r);
    }
    return 0;
}

/* Row cursor over a loaded table. */
typedef struct cur {
    const tab *t;
    int64_t bi, i;
} cur;

static bool cur_next(cur *c)
{
    if (c->bi < 0) {
        c->bi = 0;
        c->i = -1;
    }
    while (c->bi < c->t->n_batches) {
        if (++c->i < c->t->b[c->bi]->length)
            return true;
        c->bi++;
        c->i = -1;
    }
    return false;
}

static int64_t geti(const cur *c, int col)
{
    const tn_array *a = c->t->b[c->bi]->columns[col];
    switch (a->type->id) {
    case TN_INT64: return TN_VALUES(a, int64_t)[c->i];
    case TN_DECIMAL128: return TN_VALUES(a, int64_t)[2 * c->i];
    default: return TN_VALUES(a, int32_t)[c->i];
    }
}

static const char *gets_(const cur *c, int col, char *buf)
{
    int64_t len;
    const uint8_t *p = tn_array_bytes(c->t->b[c->bi]->columns[col], c->i, &len);
    memcpy(buf, p, (size_t)len);
    buf[len] = 0;
    return buf;
}

#define EACH(c, tabp) for (cur c = {tabp, -1, 0}; cur_next(&c);)

static int64_t retail(int64_t k) { return 90000 + ((k / 10) % 20001) + 100 * (k % 1000); }

TEST(row_counts)
{
    static const int64_t want[] = {2000, 100, 8000, 1500, 15000, -1, 25, 5};
    for (int t = 0; t < TN_TPCH_TABLE_COUNT; t++) {
        tab x;
        CHECK(load(t, SF, 1, 0, &x) == 0);
        if (want[t] >= 0)
            CHECK_EQ_INT(x.rows, want[t]);
        CHECK_EQ_INT(x.rows, tn_tpch_row_count(t, SF));
        CHECK_EQ_INT(x.b[0]->schema->n_fields, x.b[0]->schema->n_fields);
        tab_free(&x);
    }
    CHECK_EQ_INT(tn_tpch_row_count(TN_TPCH_ORDERS, 1), 1500000);
    CHECK_EQ_INT(tn_tpch_row_count(TN_TPCH_PARTSUPP, 0.1), 80000);
    CHECK_STR(tn_tpch_table_name(TN_TPCH_LINEITEM), "lineitem");
    CHECK_EQ_INT(tn_tpch_table_from_name("PartSupp"), TN_TPCH_PARTSUPP);
    CHECK_EQ_INT(tn_tpch_table_from_name("nope"), -1);
}

TEST(keys_resolve)
{
    tab part, supp, ps, cust, ord, li, nat, reg;
    CHECK(load(TN_TPCH_PART, SF, 1, 0, &part) == 0);
    CHECK(load(TN_TPCH_SUPPLIER, SF, 1, 0, &supp) == 0);
    CHECK(load(TN_TPCH_PARTSUPP, SF, 1, 0, &ps) == 0);
    CHECK(load(TN_TPCH_CUSTOMER, SF, 1, 0, &cust) == 0);
    CHECK(load(TN_TPCH_ORDERS, SF, 1, 0, &ord) == 0);
    CHECK(load(TN_TPCH_LINEITEM, SF, 1, 0, &li) == 0);
    CHECK(load(TN_TPCH_NATION, SF, 1, 0, &nat) == 0);
    CHECK(load(TN_TPCH_REGION, SF, 1, 0, &reg) == 0);

    /* Primary keys are dense 1..N (0..N-1 for nation and region). */
    int64_t k = 1;
    EACH(c, &part) CHECK_EQ_INT(geti(&c, 0), k++);
    k = 1;
    EACH(c, &supp) CHECK_EQ_INT(geti(&c, 0), k++);
    k = 1;
    EACH(c, &cust) CHECK_EQ_INT(geti(&c, 0), k++);
    k = 0;
    EACH(c, &nat) {
        CHECK_EQ_INT(geti(&c, 0), k++);
        CHECK(geti(&c, 2) >= 0 && geti(&c, 2) < 5); /* n_regionkey resolves */
    }
    k = 0;
    EACH(c, &reg) CHECK_EQ_INT(geti(&c, 0), k++);
    EACH(c, &supp) CHECK(geti(&c, 3) >= 0 && geti(&c, 3) < 25);
    EACH(c, &cust) CHECK(geti(&c, 3) >= 0 && geti(&c, 3) < 25);

    /* partsupp: 4 distinct suppliers per part, every pair unique. */
    static uint8_t pair[2001][101];
    memset(pair, 0, sizeof(pair));
    int64_t prev = 0, seen = 0;
    EACH(c, &ps) {
        int64_t p = geti(&c, 0), s = geti(&c, 1);
        CHECK(p >= 1 && p <= 2000 && s >= 1 && s <= 100);
        if (p < 1 || p > 2000 || s < 1 || s > 100)
            continue;
        CHECK(!pair[p][s]);
        pair[p][s] = 1;
        seen = p == prev ? seen + 1 : 1;
        prev = p;
        CHECK(seen <= 4);
    }

    /* orders: sparse keys, ascending; customers are never multiples of 3. */
    static uint8_t has_order[1501];
    memset(has_order, 0, sizeof(has_order));
    int64_t max_okey = 0, last = 0;
    EACH(c, &ord) {
        int64_t o = geti(&c, 0), cu = geti(&c, 1);
        CHECK(o > last);
        last = o;
        CHECK((o & 31) < 8);
        CHECK(cu >= 1 && cu <= 1500 && cu % 3 != 0);
        if (cu >= 1 && cu <= 1500)
            has_order[cu] = 1;
        max_okey = o;
    }
    int64_t with_orders = 0;
    for (int i = 1; i <= 1500; i++)
        with_orders += has_order[i];
    CHECK_EQ_INT(with_orders, 1000); /* exactly the two thirds that may order */

    /* lineitem: every order has 1..7 lines numbered 1..n, l_orderkey resolves
     * to an order, and (l_partkey, l_suppkey) to a partsupp row. */
    cur oc = {&ord, -1, 0};
    int64_t cur_okey = -1, lines = 0, total_lines = 0;
    bool ok_orders = true;
    EACH(c, &li) {
        int64_t o = geti(&c, 0), ln = geti(&c, 3), p = geti(&c, 1), s = geti(&c, 2);
        if (o != cur_okey) {
            if (cur_okey >= 0)
                CHECK(lines >= 1 && lines <= 7);
            ok_orders &= cur_next(&oc) && geti(&oc, 0) == o;
            cur_okey = o;
            lines = 0;
        }
        CHECK_EQ_INT(ln, ++lines);
        CHECK(p >= 1 && p <= 2000 && s >= 1 && s <= 100 && pair[p][s]);
        total_lines++;
    }
    CHECK(ok_orders);
    CHECK(!cur_next(&oc)); /* every order has lines */
    CHECK_EQ_INT(total_lines, li.rows);
    CHECK(li.rows > 55000 && li.rows < 65000);
    CHECK(max_okey > 15000 * 3); /* sparse: keys spread to about 4x the count */

    tab_free(&part); tab_free(&supp); tab_free(&ps); tab_free(&cust);
    tab_free(&ord); tab_free(&li); tab_free(&nat); tab_free(&reg);
}

TEST(value_ranges)
{
    int32_t start = tn_tpch_days(1992, 1, 1), end = tn_tpch_days(1998, 12, 31);
    int32_t now = tn_tpch_days(1995, 6, 17);
    CHECK_EQ_INT(start, 8035);
    CHECK_EQ_INT(now, 9298);
    char buf[256];
    tab part, ps, ord, li, cust, supp;
    CHECK(load(TN_TPCH_PART, SF, 1, 0, &part) == 0);
    CHECK(load(TN_TPCH_PARTSUPP, SF, 1, 0, &ps) == 0);
    CHECK(load(TN_TPCH_ORDERS, SF, 1, 0, &ord) == 0);
    CHECK(load(TN_TPCH_LINEITEM, SF, 1, 0, &li) == 0);
    CHECK(load(TN_TPCH_CUSTOMER, SF, 1, 0, &cust) == 0);
    CHECK(load(TN_TPCH_SUPPLIER, SF, 1, 0, &supp) == 0);

    int green = 0, promo = 0, brass = 0;
    EACH(c, &part) {
        int64_t k = geti(&c, 0);
        CHECK_EQ_INT(geti(&c, 7), retail(k));
        CHECK(geti(&c, 5) >= 1 && geti(&c, 5) <= 50);
        const char *name = gets_(&c, 1, buf);
        int spaces = 0;
        for (const char *p = name; *p; p++)
            spaces += *p == ' ';
        CHECK_EQ_INT(spaces, 4);
        green += strstr(name, "green") != NULL;
        const char *mfgr = gets_(&c, 2, buf);
        CHECK(strncmp(mfgr, "Manufacturer#", 13) == 0 && mfgr[13] >= '1' && mfgr[13] <= '5');
        char m = mfgr[13];
        const char *brand = gets_(&c, 3, buf);
        CHECK(strlen(brand) == 8 && brand[6] == m && brand[7] >= '1' && brand[7] <= '5');
        const char *type = gets_(&c, 4, buf);
        promo += strncmp(type, "PROMO", 5) == 0;
        brass += strstr(type, "BRASS") != NULL;
        int64_t cl = (int64_t)strlen(gets_(&c, 8, buf));
        CHECK(cl >= 5 && cl <= 22);
    }
    CHECK(green > 50 && promo > 200 && brass > 200);
    EACH(c, &ps) {
        CHECK(geti(&c, 2) >= 1 && geti(&c, 2) <= 9999);
        CHECK(geti(&c, 3) >= 100 && geti(&c, 3) <= 100000);
    }
    EACH(c, &cust) {
        CHECK(geti(&c, 5) >= -99999 && geti(&c, 5) <= 999999);
        const char *ph = gets_(&c, 4, buf);
        CHECK(strlen(ph) == 15 && ph[2] == '-' && ph[6] == '-' && ph[10] == '-');
        CHECK_EQ_INT((ph[0] - '0') * 10 + (ph[1] - '0'), geti(&c, 3) + 10);
        int64_t al = (int64_t)strlen(gets_(&c, 2, buf));
        CHECK(al >= 10 && al <= 40);
    }
    EACH(c, &supp) CHECK_STR(gets_(&c, 1, buf), (snprintf(buf + 128, 64, "Supplier#%09lld", (long long)geti(&c, 0)), buf + 128));

    /* Per-order state for the derived-column checks. */
    int64_t n_ord = ord.rows;
    int32_t *odate = tn_calloc((size_t)n_ord, sizeof(int32_t));
    int64_t *okey = tn_calloc((size_t)n_ord, sizeof(int64_t));
    int64_t *total = tn_calloc((size_t)n_ord, sizeof(int64_t));
    int *nf = tn_calloc((size_t)n_ord, sizeof(int)), *nl = tn_calloc((size_t)n_ord, sizeof(int));
    int64_t i = 0, special = 0;
    EACH(c, &ord) {
        okey[i] = geti(&c, 0);
        odate[i] = (int32_t)geti(&c, 4);
        CHECK(odate[i] >= start && odate[i] <= end - 151);
        CHECK_EQ_INT(geti(&c, 7), 0);
        const char *cm = gets_(&c, 8, buf);
        /* Comments are cut from the grammar's text: words, spaces, punctuation. */
        CHECK(strspn(cm, "abcdefghijklmnopqrstuvwxyzT ,.;:?!-") == strlen(cm));
        const char *sp = strstr(cm, "special");
        special += sp && strstr(sp, "requests");
        i++;
    }
    CHECK(special > 0 && special < n_ord / 10);

    int64_t oi = -1, last = -1;
    int flags[3][2] = {{0}}; /* A/N/R x F/O */
    EACH(c, &li) {
        int64_t o = geti(&c, 0);
        if (o != last) {
            oi++;
            last = o;
        }
        if (oi >= n_ord || okey[oi] != o) {
            CHECK(!"lineitem order out of step");
            break;
        }
        int64_t q = geti(&c, 4), ext = geti(&c, 5), d = geti(&c, 6), t = geti(&c, 7);
        CHECK(q >= 100 && q <= 5000 && q % 100 == 0);
        CHECK_EQ_INT(ext, q / 100 * retail(geti(&c, 1)));
        CHECK(d >= 0 && d <= 10);
        CHECK(t >= 0 && t <= 8);
        int32_t ship = (int32_t)geti(&c, 10), commit = (int32_t)geti(&c, 11), rec = (int32_t)geti(&c, 12);
        CHECK(ship - odate[oi] >= 1 && ship - odate[oi] <= 121);
        CHECK(commit - odate[oi] >= 30 && commit - odate[oi] <= 90);
        CHECK(rec - ship >= 1 && rec - ship <= 30);
        char rf = gets_(&c, 8, buf)[0], ls = gets_(&c, 9, buf)[0];
        CHECK(ls == (ship > now ? 'O' : 'F'));
        if (rec <= now)
            CHECK(rf == 'R' || rf == 'A');
        else
            CHECK(rf == 'N');
        flags[rf == 'A' ? 0 : rf == 'N' ? 1 : 2][ls == 'O']++;
        total[oi] += (ext * (100 - d) * (100 + t) + 5000) / 10000;
        nf[oi] += ls == 'F';
        nl[oi]++;
        int64_t cl = (int64_t)strlen(gets_(&c, 15, buf));
        CHECK(cl >= 10 && cl <= 43);
    }
    /* Q1's four groups: A/F, N/F, N/O, R/F, and no others. */
    CHECK(flags[0][0] > 0 && flags[1][0] > 0 && flags[1][1] > 0 && flags[2][0] > 0);
    CHECK(flags[0][1] == 0 && flags[2][1] == 0);

    /* o_totalprice and o_orderstatus are derived from the order's lines. */
    i = 0;
    int status[3] = {0};
    EACH(c, &ord) {
        CHECK_EQ_INT(geti(&c, 3), total[i]);
        char st = gets_(&c, 2, buf)[0];
        char want = nf[i] == nl[i] ? 'F' : nf[i] == 0 ? 'O' : 'P';
        CHECK(st == want);
        status[st == 'F' ? 0 : st == 'O' ? 1 : 2]++;
        i++;
    }
    CHECK(status[0] > 0 && status[1] > 0 && status[2] > 0);
    tn_free(odate); tn_free(okey); tn_free(total); tn_free(nf); tn_free(nl);
    tab_free(&part); tab_free(&ps); tab_free(&ord); tab_free(&li); tab_free(&cust); tab_free(&supp);
}

/* The supplier comments that Q16 excludes: one "Customer...Complaints" and
 * one "Customer...Recommends" in every 2000 suppliers (SF * 5 each). */
TEST(supplier_complaints)
{
    tab supp;
    CHECK(load(TN_TPCH_SUPPLIER, 1, 1, 0, &supp) == 0);
    int comp = 0, rec = 0;
    char buf[256];
    EACH(c, &supp) {
        const char *s = gets_(&c, 6, buf);
        const char *cu = strstr(s, "Customer");
        comp += cu && strstr(cu, "Complaints");
        rec += cu && strstr(cu, "Recommends");
    }
    CHECK_EQ_INT(supp.rows, 10000);
    CHECK_EQ_INT(comp, 5);
    CHECK_EQ_INT(rec, 5);
    tab_free(&supp);
}

/* A hash over every value of the table, in row order, with lengths. */
static uint64_t table_hash(const tab *t)
{
    uint64_t h = 0;
    for (int64_t bi = 0; bi < t->n_batches; bi++) {
        tn_batch *b = t->b[bi];
        for (int64_t i = 0; i < b->length; i++)
            for (int32_t c = 0; c < b->schema->n_fields; c++) {
                const tn_array *a = b->columns[c];
                int64_t len;
                const uint8_t *p;
                if (a->type->id == TN_STRING) {
                    p = tn_array_bytes(a, i, &len);
                } else {
                    len = a->type->byte_width;
                    p = a->buffers[1]->data + (a->offset + i) * len;
                }
                h = tn_hash_combine(h, tn_hash_bytes(p, (size_t)len, (uint64_t)len));
            }
    }
    return h;
}

TEST(deterministic_across_chunks)
{
    for (int t = 0; t < TN_TPCH_TABLE_COUNT; t++) {
        tab a, b, c;
        CHECK(load(t, SF, 1, 0, &a) == 0);
        CHECK(load(t, SF, 1, 0, &b) == 0);
        CHECK(load(t, SF, 4, 1000, &c) == 0);
        CHECK_EQ_INT(a.rows, c.rows);
        CHECK(table_hash(&a) == table_hash(&b));
        CHECK(table_hash(&a) == table_hash(&c));
        /* Batch for batch the single-chunk runs are equal arrays too. */
        CHECK_EQ_INT(a.n_batches, b.n_batches);
        for (int64_t i = 0; i < a.n_batches && i < b.n_batches; i++)
            for (int32_t k = 0; k < a.b[i]->schema->n_fields; k++)
                CHECK(tn_array_equals(a.b[i]->columns[k], b.b[i]->columns[k]));
        tab_free(&a); tab_free(&b); tab_free(&c);
    }
    /* A different scale factor gives different data. */
    tab x, y;
    CHECK(load(TN_TPCH_NATION, SF, 1, 0, &x) == 0);
    CHECK(load(TN_TPCH_PART, 0.02, 1, 0, &y) == 0);
    CHECK_EQ_INT(y.rows, 4000);
    tab_free(&x); tab_free(&y);
}

TEST(bad_arguments)
{
    tarn_error err;
    tn_reader *r = (tn_reader *)1;
    CHECK_EQ_INT(tn_tpch_open(TN_TPCH_PART, 0, 0, 1, 0, &r, &err), TARN_EINVAL);
    CHECK_MSG(&err, "scale factor 0");
    CHECK(r == NULL);
    CHECK_EQ_INT(tn_tpch_open(TN_TPCH_PART, -1, 0, 1, 0, &r, &err), TARN_EINVAL);
    CHECK_EQ_INT(tn_tpch_open(TN_TPCH_PART, 1e9, 0, 1, 0, &r, &err), TARN_EINVAL);
    CHECK_EQ_INT(tn_tpch_open(TN_TPCH_PART, 1, 4, 4, 0, &r, &err), TARN_EINVAL);
    CHECK_MSG(&err, "chunk 4 of 4");
    CHECK_EQ_INT(tn_tpch_open((tn_tpch_table)42, 1, 0, 1, 0, &r, &err), TARN_EINVAL);
    tarn_gen_options o = {.format = "tbl"};
    CHECK_EQ_INT(tarn_gen_tpch("/dev/null/x", 0.01, &o, &err), TARN_EIO);
    CHECK_MSG(&err, "cannot create directory /dev/null/x");
    CHECK_EQ_INT(tarn_gen_tpch("/tmp", 0, &o, &err), TARN_EINVAL);
    o.format = "xml";
    CHECK_EQ_INT(tarn_gen_tpch("/tmp", 0.01, &o, &err), TARN_EINVAL);
    CHECK_MSG(&err, "unknown format \"xml\"");
}

/* A fresh temporary directory, in memory when /dev/shm is there: the
 * writers fsync every file, which on a busy disk only adds waiting. */
static char *make_tmp(char *dir)
{
    snprintf(dir, 64, "%s/tn_tpch_XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    return mkdtemp(dir);
}

/* Read a whole file (test helper; plain malloc is fine in tests). */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)len + 1);
    *n = fread(p, 1, (size_t)len, f);
    p[*n] = 0;
    fclose(f);
    return p;
}

static int64_t count_lines(const char *p, size_t n)
{
    int64_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == '\n';
    return k;
}

/* The tbl files: one line per row, the same bytes whether written as one
 * file per table or split in three and concatenated, by 1 or 2 threads. */
TEST(tbl_files)
{
    char dir[64];
    CHECK(make_tmp(dir) != NULL);
    char one[256], three[256], path[512];
    snprintf(one, sizeof(one), "%s/one", dir);
    snprintf(three, sizeof(three), "%s/three", dir);
    tarn_error err;
    tarn_gen_options o = {.format = "tbl"};
    CHECK_OK(tarn_set_threads(1, &err), &err);
    CHECK_OK(tarn_gen_tpch(one, SF, &o, &err), &err);
    o.files_per_table = 3;
    o.batch_rows = 777;
    CHECK_OK(tarn_set_threads(2, &err), &err);
    CHECK_OK(tarn_gen_tpch(three, SF, &o, &err), &err);
    CHECK_OK(tarn_set_threads(0, &err), &err);
    for (int t = 0; t < TN_TPCH_TABLE_COUNT; t++) {
        const char *name = tn_tpch_table_name(t);
        size_t n = 0;
        snprintf(path, sizeof(path), "%s/%s.tbl", one, name);
        char *a = slurp(path, &n);
        CHECK(a != NULL);
        if (!a)
            continue;
        CHECK_EQ_INT(count_lines(a, n), tn_tpch_row_count(t, SF));
        /* Concatenate the split files. */
        size_t cap = n + 1, m = 0;
        char *b = malloc(cap);
        /* nation and region are one file, still in their own folder. */
        int parts = (t == TN_TPCH_NATION || t == TN_TPCH_REGION) ? 1 : 3;
        for (int i = 0; i < parts; i++) {
            snprintf(path, sizeof(path), "%s/%s/part-%d.tbl", three, name, i);
            size_t k = 0;
            char *q = slurp(path, &k);
            CHECK(q != NULL);
            if (q && m + k <= n)
                memcpy(b + m, q, k);
            m += k;
            free(q);
            remove(path);
        }
        CHECK_EQ_INT(m, n);
        CHECK(m == n && memcmp(a, b, n) == 0);
        if (t == TN_TPCH_REGION)
            CHECK(strncmp(a, "0|AFRICA|", 9) == 0);
        if (t == TN_TPCH_LINEITEM) /* dates and decimals in text form */
            CHECK(strstr(a, "|1995-06-") != NULL && strstr(a, "|0.04|") != NULL);
        free(a);
        free(b);
        snprintf(path, sizeof(path), "%s/%s.tbl", one, name);
        remove(path);
        snprintf(path, sizeof(path), "%s/%s", three, name);
        rmdir(path);
    }
    rmdir(one);
    rmdir(three);
    CHECK(rmdir(dir) == 0);
}

/* Read every batch of a file into a tab (through the public reader). */
static int load_file(const char *path, tab *t)
{
    memset(t, 0, sizeof(*t));
    tarn_error err;
    struct ArrowArrayStream st;
    tn_reader *r;
    if (tarn_read(path, NULL, &st, &err) != 0 || tn_import_stream(&st, &r, &err) != 0) {
        fprintf(stderr, "reading %s: %s\n", path, err.message);
        return -1;
    }
    for (;;) {
        tn_batch *b;
        if (tn_reader_next(r, &b, &err) != 0) {
            fprintf(stderr, "reading %s: %s\n", path, err.message);
            break;
        }
        if (!b)
            break;
        t->b = tn_realloc(t->b, (size_t)(t->n_batches + 1) * sizeof(*t->b));
        t->b[t->n_batches++] = b;
        t->rows += b->length;
    }
    tn_reader_free(r);
    return 0;
}

/* IPC files through the format registry hold exactly the generator's data,
 * with its schema, split or not; CSV files have a header and one line per row. */
TEST(ipc_and_csv_files)
{
    char dir[64], path[512];
    CHECK(make_tmp(dir) != NULL);
    tarn_error err;
    tarn_gen_options o = {.format = "ipc"};
    CHECK_OK(tarn_gen_tpch(dir, SF, &o, &err), &err);
    o.files_per_table = 2;
    snprintf(path, sizeof(path), "%s/split", dir);
    CHECK_OK(tarn_gen_tpch(path, SF, &o, &err), &err);
    for (int t = 0; t < TN_TPCH_TABLE_COUNT; t++) {
        tab want, got;
        CHECK(load(t, SF, 1, 0, &want) == 0);
        snprintf(path, sizeof(path), "%s/%s.arrow", dir, tn_tpch_table_name(t));
        CHECK(load_file(path, &got) == 0);
        CHECK_EQ_INT(got.rows, want.rows);
        CHECK(got.n_batches > 0 && tn_schema_equals(got.b[0]->schema, want.b[0]->schema));
        CHECK(table_hash(&got) == table_hash(&want));
        remove(path);
        /* The parts, read in order, are the table. */
        int parts = (t == TN_TPCH_NATION || t == TN_TPCH_REGION) ? 1 : 2;
        tab all = {0};
        for (int i = 0; i < parts; i++) {
            tab half;
            snprintf(path, sizeof(path), "%s/split/%s/part-%d.arrow", dir, tn_tpch_table_name(t), i);
            CHECK(load_file(path, &half) == 0);
            CHECK(half.rows > 0);
            all.b = tn_realloc(all.b, (size_t)(all.n_batches + half.n_batches) * sizeof(*all.b));
            memcpy(all.b + all.n_batches, half.b, (size_t)half.n_batches * sizeof(*all.b));
            all.n_batches += half.n_batches;
            all.rows += half.rows;
            tn_free(half.b);
            remove(path);
        }
        CHECK_EQ_INT(all.rows, want.rows);
        CHECK(table_hash(&all) == table_hash(&want));
        tab_free(&all);
        snprintf(path, sizeof(path), "%s/split/%s", dir, tn_tpch_table_name(t));
        rmdir(path);
        tab_free(&want);
        tab_free(&got);
    }
    snprintf(path, sizeof(path), "%s/split", dir);
    rmdir(path);
    o.format = "csv";
    o.files_per_table = 0;
    CHECK_OK(tarn_gen_tpch(dir, SF, &o, &err), &err);
    for (int t = 0; t < TN_TPCH_TABLE_COUNT; t++) {
        size_t n = 0;
        snprintf(path, sizeof(path), "%s/%s.csv", dir, tn_tpch_table_name(t));
        char *p = slurp(path, &n);
        CHECK(p != NULL);
        if (p) {
            CHECK_EQ_INT(count_lines(p, n), tn_tpch_row_count(t, SF) + 1);
            if (t == TN_TPCH_REGION)
            {
                const char *head = "r_regionkey,r_name,r_comment\n0,AFRICA,";
                CHECK(strncmp(p, head, strlen(head)) == 0);
            }
        }
        free(p);
        remove(path);
    }
    CHECK(rmdir(dir) == 0);
}

static int gen_some(void *ctx, tarn_error *err)
{
    (void)ctx;
    for (int t = 0; t < TN_TPCH_TABLE_COUNT; t++) {
        tn_reader *r;
        TN_TRY(tn_tpch_open(t, 0.001, 0, 2, 100, &r, err));
        for (;;) {
            tn_batch *b;
            int rc = tn_reader_next(r, &b, err);
            if (rc) {
                tn_reader_free(r);
                return rc;
            }
            if (!b)
                break;
            tn_batch_unref(b);
        }
        tn_reader_free(r);
    }
    return 0;
}

typedef struct gen_ctx {
    const char *dir, *format;
    int files;
} gen_ctx;

static int gen_files(void *ctx, tarn_error *err)
{
    gen_ctx *g = ctx;
    tarn_gen_options o = {.format = g->format, .files_per_table = g->files};
    return tarn_gen_tpch(g->dir, 0.0001, &o, err);
}

/* No file is left half-written: only complete files, no temporaries. */
static int count_tmp(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "find %s -name '*.tmp' | grep -c . >/dev/null", dir);
    return system(cmd) == 0;
}

TEST(allocation_failures)
{
    CHECK(tn_test_alloc_failures("tpch", gen_some, NULL) > 10);
    char dir[64], cmd[600];
    CHECK(make_tmp(dir) != NULL);
    tarn_error err;
    CHECK_OK(tarn_set_threads(1, &err), &err);
    gen_ctx tbl = {dir, "tbl", 2}, ipc = {dir, "ipc", 1};
    int n_tbl = tn_test_alloc_failures("tarn_gen_tpch tbl", gen_files, &tbl);
    int n_ipc = tn_test_alloc_failures("tarn_gen_tpch ipc", gen_files, &ipc);
    CHECK(n_tbl > 10 && n_ipc > 10);
    CHECK_OK(tarn_set_threads(0, &err), &err);
    CHECK(!count_tmp(dir));
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "write") == 0) {
        tarn_error err;
        tarn_gen_options o = {.format = "tbl", .progress = 1};
        if (tarn_gen_tpch(argv[2], atof(argv[3]), &o, &err) != 0) {
            fprintf(stderr, "test_tpch write: %s\n", err.message);
            return 1;
        }
        return 0;
    }
    RUN(row_counts);
    RUN(keys_resolve);
    RUN(value_ranges);
    RUN(supplier_complaints);
    RUN(deterministic_across_chunks);
    RUN(bad_arguments);
    RUN(tbl_files);
    RUN(ipc_and_csv_files);
    RUN(allocation_failures);
    return tn_test_done();
}
