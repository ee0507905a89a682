/*
 * example.c — a small built-in dataset of many types (tarn_example), so that
 * demos, docs and tests can start from real data without any input file:
 * eight orders with integers, decimals, strings (one non-ASCII), dates,
 * UTC timestamps, lists, structs, booleans and a few NULLs.
 */
#include "arrow/builder.h"
#include "arrow/c_data.h"
#include "core/alloc.h"
#include "formats/registry.h"

#define ROWS 8

typedef struct order {
    int64_t id;
    const char *customer; /* NULL: null */
    int64_t cents;
    int64_t qty; /* -1: null */
    int32_t day; /* days since 1970-01-01 */
    int64_t at;  /* microseconds since the epoch, UTC */
    const char *tags;     /* comma separated; NULL: null list */
    double w, h;
    bool paid;
} order;

static const order orders[ROWS] = {
    {1, "Ada", 1999, 2, 19723, 1704103200000000LL, "new,gift", 10.5, 2, true},
    {2, "Grace", 125000, 1, 19724, 1704196800123456LL, "", 30, 20, true},
    {3, "Linus", 350, -1, 19730, 1704708000000000LL, "bulk", 1, 1, false},
    {4, NULL, 4200, 10, 19740, 1705572000500000LL, NULL, 0.25, 0.5, true},
    {5, "Zoë", 89990, 1, 19750, 1706436000000000LL, "new", 120, 80, false},
    {6, "Barbara", 15, 100, 19760, 1707300000000000LL, "bulk,sample", 2, 3, true},
    {7, "Edsger", 7000, 3, 19770, 1708164000000000LL, "gift", 15, 15, true},
    {8, "Ken", 123456789, 1, 19780, 1709028000999999LL, "vip,new", 200, 100, false},
};

static tn_schema *example_schema(void)
{
    tn_field *dims[2] = {tn_field_new("w", tn_type_get(TN_FLOAT64), true),
                         tn_field_new("h", tn_type_get(TN_FLOAT64), true)};
    tn_type *types[9] = {
        tn_type_get(TN_INT64),
        tn_type_get(TN_STRING),
        tn_type_decimal(128, 12, 2),
        tn_type_get(TN_INT32),
        tn_type_get(TN_DATE32),
        tn_type_timestamp(TN_MICRO, "UTC"),
        tn_type_list(TN_LIST, tn_field_new("item", tn_type_get(TN_STRING), true)),
        tn_type_struct(2, dims),
        tn_type_get(TN_BOOL),
    };
    static const char *const names[9] = {"id", "customer", "amount", "qty", "day", "ordered_at", "tags", "size", "paid"};
    tn_schema *s = tn_schema_new(9);
    bool ok = s != NULL;
    for (int j = 0; j < 9; j++) {
        if (ok && tn_field_init(&s->fields[j], names[j], types[j], j != 0, NULL) != TARN_OK)
            ok = false; /* tn_field_init consumed the type */
        else if (!ok)
            tn_type_unref(types[j]);
    }
    if (!ok) {
        tn_schema_unref(s);
        return NULL;
    }
    return s;
}

static int append_tags(tn_builder *b, const char *tags, tarn_error *err)
{
    if (!tags)
        return tn_builder_append_null(b, err);
    for (const char *p = tags; *p;) {
        const char *end = strchr(p, ',');
        int64_t n = end ? end - p : (int64_t)strlen(p);
        TN_TRY(tn_builder_append_bytes(tn_builder_child(b, 0), p, n, err));
        p += n + (end != NULL);
    }
    return tn_builder_append_list(b, err);
}

static int append_row(tn_builder **b, const order *o, tarn_error *err)
{
    TN_TRY(tn_builder_append_int(b[0], o->id, err));
    TN_TRY(o->customer ? tn_builder_append_str(b[1], o->customer, err) : tn_builder_append_null(b[1], err));
    TN_TRY(tn_builder_append_int(b[2], o->cents, err));
    TN_TRY(o->qty < 0 ? tn_builder_append_null(b[3], err) : tn_builder_append_int(b[3], o->qty, err));
    TN_TRY(tn_builder_append_int(b[4], o->day, err));
    TN_TRY(tn_builder_append_int(b[5], o->at, err));
    TN_TRY(append_tags(b[6], o->tags, err));
    TN_TRY(tn_builder_append_double(tn_builder_child(b[7], 0), o->w, err));
    TN_TRY(tn_builder_append_double(tn_builder_child(b[7], 1), o->h, err));
    TN_TRY(tn_builder_append_struct(b[7], err));
    return tn_builder_append_bool(b[8], o->paid, err);
}

static int example_reader(tn_reader **out, tarn_error *err)
{
    tn_schema *s = example_schema();
    TN_TRY_ALLOC(s, err, sizeof *s);
    tn_builder *b[9] = {0};
    tn_batch *batch = tn_batch_new(s, ROWS);
    int rc = batch ? TARN_OK : tn_error_oom(err, sizeof *batch);
    for (int j = 0; j < 9 && rc == TARN_OK; j++)
        if (!(b[j] = tn_builder_new(s->fields[j].type)))
            rc = tn_error_oom(err, sizeof(void *));
    for (int i = 0; i < ROWS && rc == TARN_OK; i++)
        rc = append_row(b, &orders[i], err);
    for (int j = 0; j < 9 && rc == TARN_OK; j++)
        rc = tn_builder_finish(b[j], &batch->columns[j], err);
    for (int j = 0; j < 9; j++)
        tn_builder_free(b[j]);
    *out = rc == TARN_OK ? tn_reader_from_batches(s, &batch, 1) : NULL;
    if (rc == TARN_OK && !*out)
        rc = tn_error_oom(err, sizeof(tn_reader));
    tn_batch_unref(batch);
    tn_schema_unref(s);
    return rc;
}

int tn_example_reader(tn_reader **out, tarn_error *err)
{
    return example_reader(out, err);
}

int tarn_example(struct ArrowArrayStream *out, tarn_error *err)
{
    tn_reader *r;
    TN_TRY(example_reader(&r, err));
    return tn_export_reader(r, out, err);
}
