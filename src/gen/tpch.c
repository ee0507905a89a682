/*
 * tpch.c — the eight TPC-H tables as streams of Arrow record batches.
 *
 * Population follows the TPC-H specification, clause 4.2.3 (see
 * docs/gen.md for what differs from dbgen). Every random value is
 * tn_tpch_rand(stream, row): `stream` names the table column, `row` the
 * row's key (or order index and line number), so a value never depends on
 * the rows generated before it. That makes every chunk independent, the
 * output identical whatever the chunking or thread count, and lets the
 * orders generator re-derive its lineitems to compute o_totalprice and
 * o_orderstatus without holding the lineitem table.
 *
 * Batches are built by writing the Arrow buffers directly (fixed-width
 * values, utf8 offsets and bytes), sized up front from each column's longest
 * possible value, so a batch costs a handful of allocations.
 */
#include "gen/tpch.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "gen/tpch_text.h"

/* Clause 4.2.3: STARTDATE 1992-01-01, ENDDATE 1998-12-31, CURRENTDATE 1995-06-17. */
#define START_DATE 8035   /* days since epoch of 1992-01-01 */
#define END_DATE 10591    /* 1998-12-31 */
#define CURRENT_DATE 9298 /* 1995-06-17 */

#define DEFAULT_BATCH 65536
#define MAX_SF 10000.0

typedef enum kind { K_I32, K_I64, K_DATE, K_DEC, K_STR } kind;

typedef struct coldef {
    const char *name;
    kind k;
    int32_t maxlen; /* K_STR: longest value in bytes */
} coldef;

static const coldef part_cols[] = {
    {"p_partkey", K_I32, 0},    {"p_name", K_STR, 55},    {"p_mfgr", K_STR, 25},
    {"p_brand", K_STR, 10},     {"p_type", K_STR, 25},    {"p_size", K_I32, 0},
    {"p_container", K_STR, 10}, {"p_retailprice", K_DEC, 0}, {"p_comment", K_STR, 23},
};
static const coldef supplier_cols[] = {
    {"s_suppkey", K_I32, 0}, {"s_name", K_STR, 25},  {"s_address", K_STR, 40},
    {"s_nationkey", K_I32, 0}, {"s_phone", K_STR, 15}, {"s_acctbal", K_DEC, 0},
    {"s_comment", K_STR, 101},
};
static const coldef partsupp_cols[] = {
    {"ps_partkey", K_I32, 0}, {"ps_suppkey", K_I32, 0}, {"ps_availqty", K_I32, 0},
    {"ps_supplycost", K_DEC, 0}, {"ps_comment", K_STR, 199},
};
static const coldef customer_cols[] = {
    {"c_custkey", K_I32, 0},  {"c_name", K_STR, 25},    {"c_address", K_STR, 40},
    {"c_nationkey", K_I32, 0}, {"c_phone", K_STR, 15},  {"c_acctbal", K_DEC, 0},
    {"c_mktsegment", K_STR, 10}, {"c_comment", K_STR, 117},
};
static const coldef orders_cols[] = {
    {"o_orderkey", K_I64, 0},     {"o_custkey", K_I32, 0},       {"o_orderstatus", K_STR, 1},
    {"o_totalprice", K_DEC, 0},   {"o_orderdate", K_DATE, 0},    {"o_orderpriority", K_STR, 15},
    {"o_clerk", K_STR, 15},       {"o_shippriority", K_I32, 0},  {"o_comment", K_STR, 79},
};
static const coldef lineitem_cols[] = {
    {"l_orderkey", K_I64, 0},     {"l_partkey", K_I32, 0},      {"l_suppkey", K_I32, 0},
    {"l_linenumber", K_I32, 0},   {"l_quantity", K_DEC, 0},     {"l_extendedprice", K_DEC, 0},
    {"l_discount", K_DEC, 0},     {"l_tax", K_DEC, 0},          {"l_returnflag", K_STR, 1},
    {"l_linestatus", K_STR, 1},   {"l_shipdate", K_DATE, 0},    {"l_commitdate", K_DATE, 0},
    {"l_receiptdate", K_DATE, 0}, {"l_shipinstruct", K_STR, 25}, {"l_shipmode", K_STR, 10},
    {"l_comment", K_STR, 44},
};
static const coldef nation_cols[] = {
    {"n_nationkey", K_I32, 0}, {"n_name", K_STR, 25}, {"n_regionkey", K_I32, 0},
    {"n_comment", K_STR, 115},
};
static const coldef region_cols[] = {
    {"r_regionkey", K_I32, 0}, {"r_name", K_STR, 25}, {"r_comment", K_STR, 116},
};

typedef struct tabledef {
    const char *name;
    const coldef *cols;
    int32_t n_cols;
    double base_rows; /* driver rows at SF 1 (0: fixed table) */
    int32_t max_per_driver; /* table rows per driver row, at most */
} tabledef;

#define T(name, cols, base, per) {name, cols, (int32_t)(sizeof(cols) / sizeof(cols[0])), base, per}
static const tabledef tables[TN_TPCH_TABLE_COUNT] = {
    T("part", part_cols, 200000, 1),         T("supplier", supplier_cols, 10000, 1),
    T("partsupp", partsupp_cols, 200000, 4), T("customer", customer_cols, 150000, 1),
    T("orders", orders_cols, 1500000, 1),    T("lineitem", lineitem_cols, 1500000, 7),
    T("nation", nation_cols, 0, 1),          T("region", region_cols, 0, 1),
};

/* Random streams: one per table column, plus a few for drawn quantities. */
#define S(table, col) ((uint64_t)(table) * 64 + (uint64_t)(col))
enum { X_NLINES = 40, X_SUPPI, X_SHIP, X_COMMIT, X_RECEIPT, X_RFLAG, X_SPECIAL, X_SPOS, X_NAMEW };

const char *tn_tpch_table_name(tn_tpch_table t)
{
    return (unsigned)t < TN_TPCH_TABLE_COUNT ? tables[t].name : NULL;
}

int tn_tpch_table_from_name(const char *name)
{
    for (int i = 0; i < TN_TPCH_TABLE_COUNT; i++)
        if (strcasecmp(name, tables[i].name) == 0)
            return i;
    return -1;
}

int32_t tn_tpch_days(int y, int m, int d)
{
    /* Days from civil (Howard Hinnant's algorithm). */
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int32_t)doe - 719468;
}

static int64_t scaled(double base, double sf)
{
    int64_t n = llround(base * sf);
    return n < 1 ? 1 : n;
}

int64_t tn_tpch_driver_rows(tn_tpch_table t, double sf)
{
    if (t == TN_TPCH_NATION)
        return 25;
    if (t == TN_TPCH_REGION)
        return 5;
    return scaled(tables[t].base_rows, sf);
}

/* --- the population rules ------------------------------------------------- */

/* The sizes one scale factor implies. */
typedef struct scale {
    double sf;
    int64_t parts, suppliers, customers, orders, clerks;
} scale;

static scale scale_of(double sf)
{
    scale s = {sf, scaled(200000, sf), scaled(10000, sf), scaled(150000, sf), scaled(1500000, sf),
               scaled(1000, sf)};
    return s;
}

/* Clause 4.2.3: order keys are sparse, only the first 8 of each 32 are used. */
static int64_t order_key(int64_t index)
{
    int64_t i = index + 1;
    return ((i >> 3) << 5) | (i & 7);
}

static int64_t retail_price(int64_t partkey) /* cents */
{
    return 90000 + ((partkey / 10) % 20001) + 100 * (partkey % 1000);
}

/* The supplier of the i-th (0..3) partsupp row of a part (clause 4.2.3). */
static int64_t part_supplier(int64_t partkey, int64_t i, int64_t S)
{
    return (partkey + i * (S / 4 + (partkey - 1) / S)) % S + 1;
}

static int32_t order_date(int64_t index)
{
    return (int32_t)tn_tpch_uniform(tn_tpch_rand(S(TN_TPCH_ORDERS, 4), (uint64_t)index), START_DATE,
                                    END_DATE - 151);
}

static int32_t line_count(int64_t index)
{
    return (int32_t)tn_tpch_uniform(tn_tpch_rand(S(TN_TPCH_LINEITEM, X_NLINES), (uint64_t)index), 1, 7);
}

/* The drawn and derived values of one lineitem. */
typedef struct line {
    int64_t partkey, suppkey;
    int64_t qty, disc, tax; /* quantity in units, discount and tax in hundredths */
    int64_t extprice;       /* cents */
    int32_t ship, commit, receipt;
    char returnflag, linestatus;
} line;

static void make_line(const scale *s, int64_t index, int32_t j, int32_t odate, line *l)
{
    enum { L = TN_TPCH_LINEITEM };
    uint64_t row = (uint64_t)index * 8 + (uint64_t)j;
    l->partkey = tn_tpch_uniform(tn_tpch_rand(S(L, 1), row), 1, s->parts);
    l->suppkey = part_supplier(l->partkey, tn_tpch_uniform(tn_tpch_rand(S(L, X_SUPPI), row), 0, 3),
                               s->suppliers);
    l->qty = tn_tpch_uniform(tn_tpch_rand(S(L, 4), row), 1, 50);
    l->disc = tn_tpch_uniform(tn_tpch_rand(S(L, 6), row), 0, 10);
    l->tax = tn_tpch_uniform(tn_tpch_rand(S(L, 7), row), 0, 8);
    l->extprice = l->qty * retail_price(l->partkey);
    l->ship = odate + (int32_t)tn_tpch_uniform(tn_tpch_rand(S(L, X_SHIP), row), 1, 121);
    l->commit = odate + (int32_t)tn_tpch_uniform(tn_tpch_rand(S(L, X_COMMIT), row), 30, 90);
    l->receipt = l->ship + (int32_t)tn_tpch_uniform(tn_tpch_rand(S(L, X_RECEIPT), row), 1, 30);
    if (l->receipt <= CURRENT_DATE)
        l->returnflag = (tn_tpch_rand(S(L, X_RFLAG), row) >> 63) ? 'R' : 'A';
    else
        l->returnflag = 'N';
    l->linestatus = l->ship > CURRENT_DATE ? 'O' : 'F';
}

/* A line's charge in cents: extendedprice * (1 - discount) * (1 + tax),
 * rounded half up to the cent. o_totalprice is the sum over the order. */
static int64_t line_charge(const line *l)
{
    return (l->extprice * (100 - l->disc) * (100 + l->tax) + 5000) / 10000;
}

/* --- batch building -------------------------------------------------------- */

typedef struct col {
    tn_buffer *vals; /* fixed-width values, or utf8 offsets */
    tn_buffer *data; /* utf8 bytes */
    int64_t used;    /* utf8 bytes written */
    int64_t width;   /* bytes per fixed-width value */
} col;

typedef struct batchb {
    const tabledef *td;
    col cols[16];
    int64_t n;   /* rows written */
    int64_t cap; /* rows room was made for */
} batchb;

static void batchb_free(batchb *b)
{
    for (int32_t c = 0; c < b->td->n_cols; c++) {
        tn_buffer_unref(b->cols[c].vals);
        tn_buffer_unref(b->cols[c].data);
        b->cols[c].vals = b->cols[c].data = NULL;
    }
}

static int batchb_init(batchb *b, const tabledef *td, int64_t cap, tarn_error *err)
{
    memset(b, 0, sizeof(*b));
    b->td = td;
    b->cap = cap;
    for (int32_t c = 0; c < td->n_cols; c++) {
        const coldef *cd = &td->cols[c];
        int64_t width = cd->k == K_I64 ? 8 : cd->k == K_DEC ? 16 : 4;
        col *o = &b->cols[c];
        o->width = width;
        o->vals = tn_buffer_new(cd->k == K_STR ? (cap + 1) * 4 : cap * width);
        if (cd->k == K_STR) {
            o->data = tn_buffer_new(cap * cd->maxlen);
            if (o->vals)
                ((int32_t *)o->vals->data)[0] = 0;
        }
        if (!o->vals || (cd->k == K_STR && !o->data)) {
            batchb_free(b);
            return tn_error_oom(err, (size_t)(cap * (width + cd->maxlen)));
        }
    }
    return 0;
}

static inline void put_i32(batchb *b, int c, int64_t v) { ((int32_t *)b->cols[c].vals->data)[b->n] = (int32_t)v; }
static inline void put_i64(batchb *b, int c, int64_t v) { ((int64_t *)b->cols[c].vals->data)[b->n] = v; }
static inline void put_dec(batchb *b, int c, int64_t v)
{
    int64_t *p = (int64_t *)b->cols[c].vals->data + 2 * b->n;
    p[0] = v;
    p[1] = v < 0 ? -1 : 0;
}
/* Room to write a string value of column c; finish it with str_done. */
static inline char *str_at(batchb *b, int c) { return (char *)b->cols[c].data->data + b->cols[c].used; }
static inline void str_done(batchb *b, int c, int64_t len)
{
    col *o = &b->cols[c];
    o->used += len;
    ((int32_t *)o->vals->data)[b->n + 1] = (int32_t)o->used;
}
static inline void put_str(batchb *b, int c, const char *s, int64_t len)
{
    memcpy(str_at(b, c), s, (size_t)len);
    str_done(b, c, len);
}
static inline void put_cstr(batchb *b, int c, const char *s) { put_str(b, c, s, (int64_t)strlen(s)); }

/* "<prefix><n as 9 digits>", as in Supplier#000000001. */
static void put_named(batchb *b, int c, const char *prefix, int64_t n)
{
    char *p = str_at(b, c);
    size_t k = strlen(prefix);
    memcpy(p, prefix, k);
    for (int i = 8; i >= 0; i--) {
        p[k + (size_t)i] = (char)('0' + n % 10);
        n /= 10;
    }
    str_done(b, c, (int64_t)k + 9);
}

static void put_text(batchb *b, int c, uint64_t stream, uint64_t row, int32_t lo, int32_t hi)
{
    str_done(b, c, tn_tpch_text(tn_tpch_rand(stream, row), lo, hi, str_at(b, c)));
}

static const char *pick(const tn_words *w, uint64_t r) { return w->w[tn_tpch_uniform(r, 0, w->n - 1)]; }

/* Turn the written rows into a record batch; the builder's buffers move into it. */
static int batchb_finish(batchb *b, tn_schema *schema, tn_batch **out, tarn_error *err)
{
    tn_batch *batch = tn_batch_new(schema, b->n);
    if (!batch) {
        batchb_free(b);
        return tn_error_oom(err, sizeof(tn_batch));
    }
    int rc = 0;
    for (int32_t c = 0; c < b->td->n_cols; c++) {
        col *o = &b->cols[c];
        bool str = b->td->cols[c].k == K_STR;
        tn_array *a = tn_array_new(schema->fields[c].type, b->n, str ? 3 : 2, 0);
        if (!a) {
            rc = tn_error_oom(err, sizeof(tn_array));
            break;
        }
        a->null_count = 0;
        o->vals->size = str ? (b->n + 1) * 4 : b->n * o->width;
        a->buffers[1] = o->vals;
        o->vals = NULL;
        if (str) {
            o->data->size = o->used;
            a->buffers[2] = o->data;
            o->data = NULL;
        }
        batch->columns[c] = a;
    }
    batchb_free(b);
    if (rc) {
        tn_batch_unref(batch);
        return rc;
    }
    *out = batch;
    return 0;
}

/* --- the tables ------------------------------------------------------------ */

static void gen_part(batchb *b, const scale *s, int64_t k)
{
    enum { P = TN_TPCH_PART };
    int64_t key = k + 1;
    uint64_t r = (uint64_t)key;
    put_i32(b, 0, key);
    /* p_name: five distinct color words. */
    int32_t w[5];
    char *p = str_at(b, 1);
    int64_t len = 0;
    for (int i = 0, d = 0; i < 5; d++) {
        int32_t x = (int32_t)tn_tpch_uniform(tn_tpch_rand(S(P, X_NAMEW), r * 64 + (uint64_t)d), 0,
                                             tn_tpch_colors.n - 1);
        bool dup = false;
        for (int j = 0; j < i; j++)
            dup |= w[j] == x;
        if (dup)
            continue;
        w[i++] = x;
        if (len)
            p[len++] = ' ';
        size_t n = strlen(tn_tpch_colors.w[x]);
        memcpy(p + len, tn_tpch_colors.w[x], n);
        len += (int64_t)n;
    }
    str_done(b, 1, len);
    int64_t m = tn_tpch_uniform(tn_tpch_rand(S(P, 2), r), 1, 5);
    char tmp[64];
    int n = snprintf(tmp, sizeof(tmp), "Manufacturer#%d", (int)m);
    put_str(b, 2, tmp, n);
    n = snprintf(tmp, sizeof(tmp), "Brand#%d%d", (int)m, (int)tn_tpch_uniform(tn_tpch_rand(S(P, 3), r), 1, 5));
    put_str(b, 3, tmp, n);
    n = snprintf(tmp, sizeof(tmp), "%s %s %s", pick(&tn_tpch_type_s1, tn_tpch_rand(S(P, 4), r)),
                 pick(&tn_tpch_type_s2, tn_tpch_rand(S(P, 4), r + (1ULL << 40))),
                 pick(&tn_tpch_type_s3, tn_tpch_rand(S(P, 4), r + (2ULL << 40))));
    put_str(b, 4, tmp, n);
    put_i32(b, 5, tn_tpch_uniform(tn_tpch_rand(S(P, 5), r), 1, 50));
    n = snprintf(tmp, sizeof(tmp), "%s %s", pick(&tn_tpch_container_s1, tn_tpch_rand(S(P, 6), r)),
                 pick(&tn_tpch_container_s2, tn_tpch_rand(S(P, 6), r + (1ULL << 40))));
    put_str(b, 6, tmp, n);
    put_dec(b, 7, retail_price(key));
    put_text(b, 8, S(P, 8), r, 5, 22);
}

/* s_comment: SF*5 suppliers (one in each run of 2000) carry
 * "Customer ... Complaints" and as many "Customer ... Recommends"
 * (clause 4.2.3), at random positions in the comment. */
static void put_supplier_comment(batchb *b, int64_t key)
{
    enum { SU = TN_TPCH_SUPPLIER };
    uint64_t r = (uint64_t)key;
    char *p = str_at(b, 6);
    int32_t len = tn_tpch_text(tn_tpch_rand(S(SU, 6), r), 25, 100, p);
    int64_t block = (key - 1) / 2000, at = (key - 1) % 2000;
    uint64_t h = tn_tpch_rand(S(SU, X_SPECIAL), (uint64_t)block);
    const char *tail = NULL;
    if (at == (int64_t)(h % 1000))
        tail = "Complaints";
    else if (at == 1000 + (int64_t)((h >> 32) % 1000))
        tail = "Recommends";
    if (tail) {
        /* "Customer" at a random place, the tail after it, both inside the comment. */
        int32_t need = 8 + 10;
        int32_t gap = (int32_t)tn_tpch_uniform(tn_tpch_rand(S(SU, X_SPOS), r), 0, len - need);
        int32_t start = (int32_t)tn_tpch_uniform(tn_tpch_rand(S(SU, X_SPOS), r + 1), 0, len - need - gap);
        memcpy(p + start, "Customer", 8);
        memcpy(p + start + 8 + gap, tail, 10);
    }
    str_done(b, 6, len);
}

static void gen_supplier(batchb *b, const scale *s, int64_t k)
{
    enum { SU = TN_TPCH_SUPPLIER };
    int64_t key = k + 1;
    uint64_t r = (uint64_t)key;
    put_i32(b, 0, key);
    put_named(b, 1, "Supplier#", key);
    str_done(b, 2, tn_tpch_vstring(S(SU, 2), r, 10, 40, str_at(b, 2)));
    int32_t nation = (int32_t)tn_tpch_uniform(tn_tpch_rand(S(SU, 3), r), 0, 24);
    put_i32(b, 3, nation);
    str_done(b, 4, tn_tpch_phone(tn_tpch_rand(S(SU, 4), r), nation, str_at(b, 4)));
    put_dec(b, 5, tn_tpch_uniform(tn_tpch_rand(S(SU, 5), r), -99999, 999999));
    put_supplier_comment(b, key);
}

static void gen_partsupp(batchb *b, const scale *s, int64_t k)
{
    enum { PS = TN_TPCH_PARTSUPP };
    int64_t key = k + 1;
    for (int64_t i = 0; i < 4; i++) {
        uint64_t r = (uint64_t)key * 4 + (uint64_t)i;
        put_i32(b, 0, key);
        put_i32(b, 1, part_supplier(key, i, s->suppliers));
        put_i32(b, 2, tn_tpch_uniform(tn_tpch_rand(S(PS, 2), r), 1, 9999));
        put_dec(b, 3, tn_tpch_uniform(tn_tpch_rand(S(PS, 3), r), 100, 100000));
        put_text(b, 4, S(PS, 4), r, 49, 198);
        b->n++;
    }
}

static void gen_customer(batchb *b, const scale *s, int64_t k)
{
    enum { C = TN_TPCH_CUSTOMER };
    int64_t key = k + 1;
    uint64_t r = (uint64_t)key;
    put_i32(b, 0, key);
    put_named(b, 1, "Customer#", key);
    str_done(b, 2, tn_tpch_vstring(S(C, 2), r, 10, 40, str_at(b, 2)));
    int32_t nation = (int32_t)tn_tpch_uniform(tn_tpch_rand(S(C, 3), r), 0, 24);
    put_i32(b, 3, nation);
    str_done(b, 4, tn_tpch_phone(tn_tpch_rand(S(C, 4), r), nation, str_at(b, 4)));
    put_dec(b, 5, tn_tpch_uniform(tn_tpch_rand(S(C, 5), r), -99999, 999999));
    put_cstr(b, 6, pick(&tn_tpch_segments, tn_tpch_rand(S(C, 6), r)));
    put_text(b, 7, S(C, 7), r, 29, 116);
}

/* o_custkey: uniform over the customer keys that are not multiples of 3,
 * so a third of the customers place no orders (clause 4.2.3). */
static int64_t order_customer(const scale *s, int64_t index)
{
    int64_t valid = s->customers - s->customers / 3;
    int64_t m = tn_tpch_uniform(tn_tpch_rand(S(TN_TPCH_ORDERS, 1), (uint64_t)index), 0, valid - 1);
    return (m / 2) * 3 + (m % 2) + 1;
}

static void gen_orders(batchb *b, const scale *s, int64_t k)
{
    enum { O = TN_TPCH_ORDERS };
    uint64_t r = (uint64_t)k;
    int32_t odate = order_date(k);
    int32_t nl = line_count(k);
    int64_t total = 0;
    int n_f = 0;
    for (int32_t j = 0; j < nl; j++) {
        line l;
        make_line(s, k, j, odate, &l);
        total += line_charge(&l);
        n_f += l.linestatus == 'F';
    }
    put_i64(b, 0, order_key(k));
    put_i32(b, 1, order_customer(s, k));
    put_str(b, 2, n_f == nl ? "F" : n_f == 0 ? "O" : "P", 1);
    put_dec(b, 3, total);
    put_i32(b, 4, odate);
    put_cstr(b, 5, pick(&tn_tpch_priorities, tn_tpch_rand(S(O, 5), r)));
    put_named(b, 6, "Clerk#", tn_tpch_uniform(tn_tpch_rand(S(O, 6), r), 1, s->clerks));
    put_i32(b, 7, 0);
    put_text(b, 8, S(O, 8), r, 19, 78);
}

static void gen_lineitem(batchb *b, const scale *s, int64_t k)
{
    enum { L = TN_TPCH_LINEITEM };
    int32_t odate = order_date(k);
    int32_t nl = line_count(k);
    int64_t okey = order_key(k);
    for (int32_t j = 0; j < nl; j++) {
        uint64_t r = (uint64_t)k * 8 + (uint64_t)j;
        line l;
        make_line(s, k, j, odate, &l);
        put_i64(b, 0, okey);
        put_i32(b, 1, l.partkey);
        put_i32(b, 2, l.suppkey);
        put_i32(b, 3, j + 1);
        put_dec(b, 4, l.qty * 100);
        put_dec(b, 5, l.extprice);
        put_dec(b, 6, l.disc);
        put_dec(b, 7, l.tax);
        put_str(b, 8, &l.returnflag, 1);
        put_str(b, 9, &l.linestatus, 1);
        put_i32(b, 10, l.ship);
        put_i32(b, 11, l.commit);
        put_i32(b, 12, l.receipt);
        put_cstr(b, 13, pick(&tn_tpch_instructions, tn_tpch_rand(S(L, 13), r)));
        put_cstr(b, 14, pick(&tn_tpch_modes, tn_tpch_rand(S(L, 14), r)));
        put_text(b, 15, S(L, 15), r, 10, 43);
        b->n++;
    }
}

static void gen_nation(batchb *b, const scale *s, int64_t k)
{
    put_i32(b, 0, k);
    put_cstr(b, 1, tn_tpch_nations[k].name);
    put_i32(b, 2, tn_tpch_nations[k].region);
    put_text(b, 3, S(TN_TPCH_NATION, 3), (uint64_t)k, 31, 114);
}

static void gen_region(batchb *b, const scale *s, int64_t k)
{
    put_i32(b, 0, k);
    put_cstr(b, 1, tn_tpch_regions[k]);
    put_text(b, 2, S(TN_TPCH_REGION, 2), (uint64_t)k, 31, 115);
}

/* One driver row; the multi-row generators advance b->n themselves. */
typedef void (*gen_fn)(batchb *b, const scale *s, int64_t k);
static const gen_fn gens[TN_TPCH_TABLE_COUNT] = {
    gen_part, gen_supplier, gen_partsupp, gen_customer, gen_orders, gen_lineitem, gen_nation, gen_region,
};

int64_t tn_tpch_row_count(tn_tpch_table t, double sf)
{
    if ((unsigned)t >= TN_TPCH_TABLE_COUNT)
        return -1;
    int64_t d = tn_tpch_driver_rows(t, sf);
    if (t == TN_TPCH_PARTSUPP)
        return d * 4;
    if (t != TN_TPCH_LINEITEM)
        return d;
    int64_t n = 0;
    for (int64_t k = 0; k < d; k++)
        n += line_count(k);
    return n;
}

tn_schema *tn_tpch_schema(tn_tpch_table t)
{
    const tabledef *td = &tables[t];
    tn_schema *s = tn_schema_new(td->n_cols);
    if (!s)
        return NULL;
    for (int32_t c = 0; c < td->n_cols; c++) {
        tn_type *ty;
        switch (td->cols[c].k) {
        case K_I32: ty = tn_type_get(TN_INT32); break;
        case K_I64: ty = tn_type_get(TN_INT64); break;
        case K_DATE: ty = tn_type_get(TN_DATE32); break;
        case K_DEC: ty = tn_type_decimal(128, 15, 2); break;
        default: ty = tn_type_get(TN_STRING); break;
        }
        if (!ty || tn_field_init(&s->fields[c], td->cols[c].name, ty, false, NULL) != 0) {
            tn_schema_unref(s);
            return NULL;
        }
    }
    return s;
}

/* --- the reader ------------------------------------------------------------ */

typedef struct tpch_reader {
    tn_reader base;
    tn_tpch_table table;
    scale sc;
    int64_t next_row, end_row; /* driver rows still to produce */
    int64_t step;              /* driver rows per batch */
} tpch_reader;

static int tpch_next(tn_reader *base, tn_batch **out, tarn_error *err)
{
    tpch_reader *r = (tpch_reader *)base;
    *out = NULL;
    if (r->next_row >= r->end_row)
        return 0;
    const tabledef *td = &tables[r->table];
    int64_t n = r->end_row - r->next_row < r->step ? r->end_row - r->next_row : r->step;
    batchb b;
    TN_TRY(batchb_init(&b, td, n * td->max_per_driver, err));
    gen_fn fn = gens[r->table];
    bool multi = td->max_per_driver > 1;
    for (int64_t k = r->next_row; k < r->next_row + n; k++) {
        fn(&b, &r->sc, k);
        if (!multi)
            b.n++;
    }
    TN_TRY(batchb_finish(&b, base->schema, out, err));
    r->next_row += n;
    return 0;
}

static void tpch_destroy(tn_reader *base) { tn_free(base); }

int tn_tpch_open(tn_tpch_table t, double sf, int64_t chunk, int64_t n_chunks, int64_t batch_rows,
                 tn_reader **out, tarn_error *err)
{
    *out = NULL;
    if ((unsigned)t >= TN_TPCH_TABLE_COUNT)
        return tn_error_set(err, TARN_EINVAL, "tpch: unknown table number %d", (int)t);
    if (!(sf > 0) || sf > MAX_SF)
        return tn_error_set(err, TARN_EINVAL, "tpch: scale factor %g is out of range (0, %g]", sf, MAX_SF);
    if (n_chunks < 1 || chunk < 0 || chunk >= n_chunks)
        return tn_error_set(err, TARN_EINVAL, "tpch: chunk %lld of %lld does not exist", (long long)chunk,
                            (long long)n_chunks);
    if (batch_rows <= 0)
        batch_rows = DEFAULT_BATCH;
    /* Text lengths are bounded by int32 offsets per batch. */
    if (batch_rows > (1 << 20))
        batch_rows = 1 << 20;
    tpch_reader *r = tn_calloc(1, sizeof(*r));
    TN_TRY_ALLOC(r, err, sizeof(*r));
    r->base.schema = tn_tpch_schema(t);
    if (!r->base.schema) {
        tn_free(r);
        return tn_error_oom(err, sizeof(tn_schema));
    }
    r->base.next = tpch_next;
    r->base.destroy = tpch_destroy;
    r->table = t;
    r->sc = scale_of(sf);
    int64_t d = tn_tpch_driver_rows(t, sf);
    r->next_row = d * chunk / n_chunks;
    r->end_row = d * (chunk + 1) / n_chunks;
    int64_t per = t == TN_TPCH_LINEITEM ? 4 : tables[t].max_per_driver;
    r->step = batch_rows / per > 0 ? batch_rows / per : 1;
    *out = &r->base;
    return 0;
}
