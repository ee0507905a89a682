/*
 * meta.c — decodes Parquet's FileMetaData (the footer) and PageHeader from
 * Thrift compact bytes (thrift.c) into the structs of meta.h.
 *
 * File layout:  "PAR1" | column chunks ... | FileMetaData | u32 LE footer
 *               length | "PAR1"   (encrypted footers end in "PARE").
 *
 * Field ids follow parquet.thrift (apache/parquet-format). Fields we do not
 * use are skipped; counts of lists are bounded by the bytes left (thrift.c)
 * and their allocations by the arena, so a hostile footer cannot make us
 * allocate more than a small multiple of its own size.
 */
#include <string.h>

#include "core/alloc.h"
#include "formats/parquet/meta.h"
#include "formats/parquet/thrift.h"

typedef struct ctx {
    tn_th_reader r;
    tn_arena *arena;
} ctx;

#define FIELDS_BEGIN(c)                                        \
    int16_t last_;                                             \
    TN_TRY(tn_th_struct_begin(&(c)->r, &last_));               \
    for (;;) {                                                 \
        int type;                                              \
        int16_t id;                                            \
        TN_TRY(tn_th_field(&(c)->r, &last_, &type, &id));      \
        if (type == TN_TH_STOP)                                \
            break;                                             \
        switch (id) {
#define FIELDS_END(c)                                          \
        default:                                               \
            TN_TRY(tn_th_skip(&(c)->r, type));                 \
        }                                                      \
    }                                                          \
    tn_th_struct_end(&(c)->r);

static int oom(ctx *c, size_t n) { return tn_error_oom(c->r.err, n); }

/* A field of an unexpected type is skipped, as Thrift's generated readers
 * do: some writers used ids before the format assigned them (Dremio wrote
 * a list at ColumnMetaData id 15). */
static bool is_int(int type) { return type == TN_TH_BYTE || type == TN_TH_I16 || type == TN_TH_I32 || type == TN_TH_I64; }

static int get_i32(ctx *c, int type, int32_t *v)
{
    return is_int(type) ? tn_th_i32(&c->r, type, v) : tn_th_skip(&c->r, type);
}

static int get_i64(ctx *c, int type, int64_t *v)
{
    return is_int(type) ? tn_th_i64(&c->r, type, v) : tn_th_skip(&c->r, type);
}

static int get_bool(ctx *c, int type, bool *v)
{
    return type == TN_TH_TRUE || type == TN_TH_FALSE ? tn_th_bool(&c->r, type, v) : tn_th_skip(&c->r, type);
}

static int str(ctx *c, int type, char **out)
{
    const uint8_t *p;
    uint32_t n;
    TN_TRY(tn_th_binary(&c->r, type, &p, &n));
    *out = tn_arena_strndup(c->arena, (const char *)p, n);
    return *out ? 0 : oom(c, n);
}

static int bytes(ctx *c, int type, pq_bytes *b)
{
    return tn_th_binary(&c->r, type, &b->p, &b->n);
}

/* Begin a list of structs (or other elements) of the wanted type and
 * allocate n zeroed items of size sz. */
static int list_of(ctx *c, int type, int want, size_t sz, void **items, int32_t *n)
{
    int et;
    TN_TRY(tn_th_list_begin(&c->r, type, &et, n));
    if (et != want)
        return TN_CORRUPT(c->r.err, "parquet %s: list of unexpected element type %d at byte %zu", c->r.what,
                          et, tn_th_pos(&c->r));
    *items = tn_arena_calloc(c->arena, (size_t)*n * sz + 1);
    return *items ? 0 : oom(c, (size_t)*n * sz);
}

static int time_unit(ctx *c, int *unit)
{
    *unit = 0;
    FIELDS_BEGIN(c)
    case 1: case 2: case 3:
        *unit = id;
        TN_TRY(tn_th_skip(&c->r, type));
        break;
    FIELDS_END(c)
    return 0;
}

/* TimeType / TimestampType: 1 isAdjustedToUTC, 2 unit. */
static int time_type(ctx *c, pq_logical *l)
{
    FIELDS_BEGIN(c)
    case 1: TN_TRY(get_bool(c, type, &l->utc)); break;
    case 2:
        if (type != TN_TH_STRUCT)
            return TN_CORRUPT(c->r.err, "parquet footer: time unit is not a struct");
        TN_TRY(time_unit(c, &l->unit));
        break;
    FIELDS_END(c)
    return 0;
}

/* DecimalType: 1 scale, 2 precision. */
static int decimal_type(ctx *c, pq_logical *l)
{
    FIELDS_BEGIN(c)
    case 1: TN_TRY(get_i32(c, type, &l->scale)); break;
    case 2: TN_TRY(get_i32(c, type, &l->precision)); break;
    FIELDS_END(c)
    return 0;
}

/* IntType: 1 bitWidth (byte), 2 isSigned. */
static int int_type(ctx *c, pq_logical *l)
{
    FIELDS_BEGIN(c)
    case 1: {
        int32_t w = 0;
        TN_TRY(get_i32(c, type, &w));
        l->bit_width = (int8_t)w;
        break;
    }
    case 2: TN_TRY(get_bool(c, type, &l->is_signed)); break;
    FIELDS_END(c)
    return 0;
}

static int logical_type(ctx *c, pq_logical *l)
{
    l->kind = PQ_LT_NONE;
    FIELDS_BEGIN(c)
    case 5:
        if (type != TN_TH_STRUCT)
            return TN_CORRUPT(c->r.err, "parquet footer: decimal logical type is not a struct");
        l->kind = PQ_LT_DECIMAL;
        TN_TRY(decimal_type(c, l));
        break;
    case 7: case 8:
        if (type != TN_TH_STRUCT)
            return TN_CORRUPT(c->r.err, "parquet footer: time logical type is not a struct");
        l->kind = id;
        TN_TRY(time_type(c, l));
        break;
    case 10:
        if (type != TN_TH_STRUCT)
            return TN_CORRUPT(c->r.err, "parquet footer: integer logical type is not a struct");
        l->kind = PQ_LT_INTEGER;
        TN_TRY(int_type(c, l));
        break;
    case 1: case 2: case 3: case 4: case 6: case 11: case 12: case 13: case 14: case 15: case 16: case 17: case 18:
        l->kind = id;
        TN_TRY(tn_th_skip(&c->r, type));
        break;
    default:
        l->kind = PQ_LT_OTHER;
        TN_TRY(tn_th_skip(&c->r, type));
        break;
    }
    }
    tn_th_struct_end(&c->r);
    return 0;
}

static int schema_elt(ctx *c, pq_schema_elt *e)
{
    e->type = -1;
    e->repetition = -1;
    e->converted = -1;
    FIELDS_BEGIN(c)
    case 1: TN_TRY(get_i32(c, type, &e->type)); break;
    case 2: TN_TRY(get_i32(c, type, &e->type_length)); break;
    case 3: TN_TRY(get_i32(c, type, &e->repetition)); break;
    case 4: TN_TRY(str(c, type, &e->name)); break;
    case 5: TN_TRY(get_i32(c, type, &e->num_children)); break;
    case 6: TN_TRY(get_i32(c, type, &e->converted)); break;
    case 7: TN_TRY(get_i32(c, type, &e->scale)); break;
    case 8: TN_TRY(get_i32(c, type, &e->precision)); break;
    case 9: TN_TRY(get_i32(c, type, &e->field_id)); e->has_field_id = true; break;
    case 10:
        if (type != TN_TH_STRUCT)
            return TN_CORRUPT(c->r.err, "parquet footer: logical type is not a struct");
        TN_TRY(logical_type(c, &e->logical));
        break;
    FIELDS_END(c)
    if (!e->name && !(e->name = tn_arena_strndup(c->arena, "", 0)))
        return oom(c, 1);
    return 0;
}

static int statistics(ctx *c, pq_stats *s)
{
    pq_bytes min = {0}, max = {0}, min_value = {0}, max_value = {0};
    s->null_count = s->distinct_count = -1;
    FIELDS_BEGIN(c)
    case 1: TN_TRY(bytes(c, type, &max)); break;
    case 2: TN_TRY(bytes(c, type, &min)); break;
    case 3: TN_TRY(get_i64(c, type, &s->null_count)); break;
    case 4: TN_TRY(get_i64(c, type, &s->distinct_count)); break;
    case 5: TN_TRY(bytes(c, type, &max_value)); break;
    case 6: TN_TRY(bytes(c, type, &min_value)); break;
    FIELDS_END(c)
    s->min = min_value.p ? min_value : min;
    s->max = max_value.p ? max_value : max;
    s->legacy = !min_value.p && !max_value.p && (min.p || max.p);
    return 0;
}

static int column_meta(ctx *c, pq_column_meta *m)
{
    m->dictionary_page_offset = m->index_page_offset = m->bloom_filter_offset = -1;
    m->bloom_filter_length = -1;
    m->type = -1;
    FIELDS_BEGIN(c)
    case 1: TN_TRY(get_i32(c, type, &m->type)); break;
    case 2: {
        int et;
        int32_t n;
        if (type != TN_TH_LIST) {
            TN_TRY(tn_th_skip(&c->r, type));
            break;
        }
        TN_TRY(tn_th_list_begin(&c->r, type, &et, &n));
        for (int32_t i = 0; i < n; i++) {
            int32_t e = 0;
            TN_TRY(get_i32(c, et, &e));
            if (e >= 0 && e < 32)
                m->encodings |= 1u << e;
        }
        tn_th_list_end(&c->r);
        break;
    }
    case 3: {
        void *items;
        TN_TRY(list_of(c, type, TN_TH_BINARY, sizeof(char *), &items, &m->n_path));
        m->path = items;
        for (int32_t i = 0; i < m->n_path; i++)
            TN_TRY(str(c, TN_TH_BINARY, &m->path[i]));
        tn_th_list_end(&c->r);
        break;
    }
    case 4: TN_TRY(get_i32(c, type, &m->codec)); break;
    case 5: TN_TRY(get_i64(c, type, &m->num_values)); break;
    case 6: TN_TRY(get_i64(c, type, &m->total_uncompressed_size)); break;
    case 7: TN_TRY(get_i64(c, type, &m->total_compressed_size)); break;
    case 9: TN_TRY(get_i64(c, type, &m->data_page_offset)); break;
    case 10: TN_TRY(get_i64(c, type, &m->index_page_offset)); break;
    case 11: TN_TRY(get_i64(c, type, &m->dictionary_page_offset)); break;
    case 12:
        if (type != TN_TH_STRUCT)
            return TN_CORRUPT(c->r.err, "parquet footer: statistics is not a struct");
        TN_TRY(statistics(c, &m->stats));
        m->has_stats = true;
        break;
    case 14: TN_TRY(get_i64(c, type, &m->bloom_filter_offset)); break;
    case 15: TN_TRY(get_i32(c, type, &m->bloom_filter_length)); break;
    FIELDS_END(c)
    return 0;
}

static int column_chunk(ctx *c, pq_column_chunk *cc)
{
    cc->offset_index_offset = cc->column_index_offset = -1;
    cc->offset_index_length = cc->column_index_length = -1;
    FIELDS_BEGIN(c)
    case 1: TN_TRY(str(c, type, &cc->file_path)); break;
    case 2: TN_TRY(get_i64(c, type, &cc->file_offset)); break;
    case 3:
        if (type != TN_TH_STRUCT)
            return TN_CORRUPT(c->r.err, "parquet footer: column metadata is not a struct");
        TN_TRY(column_meta(c, &cc->meta));
        cc->has_meta = true;
        break;
    case 4: TN_TRY(get_i64(c, type, &cc->offset_index_offset)); break;
    case 5: TN_TRY(get_i32(c, type, &cc->offset_index_length)); break;
    case 6: TN_TRY(get_i64(c, type, &cc->column_index_offset)); break;
    case 7: TN_TRY(get_i32(c, type, &cc->column_index_length)); break;
    case 8: case 9:
        cc->encrypted = true;
        TN_TRY(tn_th_skip(&c->r, type));
        break;
    FIELDS_END(c)
    return 0;
}

static int row_group(ctx *c, pq_row_group *rg)
{
    FIELDS_BEGIN(c)
    case 1: {
        void *items;
        TN_TRY(list_of(c, type, TN_TH_STRUCT, sizeof(pq_column_chunk), &items, &rg->n_columns));
        rg->columns = items;
        for (int32_t i = 0; i < rg->n_columns; i++)
            TN_TRY(column_chunk(c, &rg->columns[i]));
        tn_th_list_end(&c->r);
        break;
    }
    case 2: TN_TRY(get_i64(c, type, &rg->total_byte_size)); break;
    case 3: TN_TRY(get_i64(c, type, &rg->num_rows)); break;
    FIELDS_END(c)
    return 0;
}

static int key_value(ctx *c, char **key, char **value)
{
    FIELDS_BEGIN(c)
    case 1: TN_TRY(str(c, type, key)); break;
    case 2: TN_TRY(str(c, type, value)); break;
    FIELDS_END(c)
    return 0;
}

static int file_meta(ctx *c, pq_file_meta *m)
{
    bool have_schema = false, have_rows = false, have_groups = false;
    FIELDS_BEGIN(c)
    case 1: TN_TRY(get_i32(c, type, &m->version)); break;
    case 2: {
        void *items;
        TN_TRY(list_of(c, type, TN_TH_STRUCT, sizeof(pq_schema_elt), &items, &m->n_schema));
        m->schema = items;
        for (int32_t i = 0; i < m->n_schema; i++)
            TN_TRY(schema_elt(c, &m->schema[i]));
        tn_th_list_end(&c->r);
        have_schema = true;
        break;
    }
    case 3: TN_TRY(get_i64(c, type, &m->num_rows)); have_rows = true; break;
    case 4: {
        void *items;
        TN_TRY(list_of(c, type, TN_TH_STRUCT, sizeof(pq_row_group), &items, &m->n_row_groups));
        m->row_groups = items;
        for (int32_t i = 0; i < m->n_row_groups; i++)
            TN_TRY(row_group(c, &m->row_groups[i]));
        tn_th_list_end(&c->r);
        have_groups = true;
        break;
    }
    case 5: {
        int et;
        TN_TRY(tn_th_list_begin(&c->r, type, &et, &m->n_kv));
        if (et != TN_TH_STRUCT)
            return TN_CORRUPT(c->r.err, "parquet footer: key_value_metadata is not a list of structs");
        m->kv_keys = tn_arena_calloc(c->arena, (size_t)m->n_kv * sizeof(char *) + 1);
        m->kv_values = tn_arena_calloc(c->arena, (size_t)m->n_kv * sizeof(char *) + 1);
        if (!m->kv_keys || !m->kv_values)
            return oom(c, (size_t)m->n_kv * sizeof(char *));
        for (int32_t i = 0; i < m->n_kv; i++)
            TN_TRY(key_value(c, &m->kv_keys[i], &m->kv_values[i]));
        tn_th_list_end(&c->r);
        break;
    }
    case 6: TN_TRY(str(c, type, &m->created_by)); break;
    case 8:
        m->encrypted = true;
        TN_TRY(tn_th_skip(&c->r, type));
        break;
    FIELDS_END(c)
    if (!have_schema || !have_rows || !have_groups)
        return TN_CORRUPT(c->r.err, "parquet footer: missing %s", !have_schema ? "schema" : !have_rows ? "num_rows" : "row_groups");
    return 0;
}

int tn_pq_meta_decode(uint8_t *footer, size_t n, pq_file_meta **out, tarn_error *err)
{
    *out = NULL;
    pq_file_meta *m = tn_calloc(1, sizeof *m);
    if (!m) {
        tn_free(footer);
        return tn_error_oom(err, sizeof *m);
    }
    m->footer = footer;
    tn_arena_init(&m->arena, 0);
    ctx c = {.arena = &m->arena};
    tn_th_reader_init(&c.r, footer, n, "footer", err);
    int rc = file_meta(&c, m);
    if (rc) {
        tn_pq_meta_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void tn_pq_meta_free(pq_file_meta *m)
{
    if (!m)
        return;
    tn_arena_free(&m->arena);
    tn_free(m->footer);
    tn_free(m);
}

/* --- page headers ----------------------------------------------------------- */

static int data_page_v1(tn_th_reader *r, pq_page_header *h)
{
    ctx cc = {.r = *r}, *c = &cc;
    FIELDS_BEGIN(c)
    case 1: TN_TRY(get_i32(c, type, &h->num_values)); break;
    case 2: TN_TRY(get_i32(c, type, &h->encoding)); break;
    case 3: TN_TRY(get_i32(c, type, &h->def_encoding)); break;
    case 4: TN_TRY(get_i32(c, type, &h->rep_encoding)); break;
    FIELDS_END(c)
    *r = c->r;
    return 0;
}

static int data_page_v2(tn_th_reader *r, pq_page_header *h)
{
    ctx cc = {.r = *r}, *c = &cc;
    h->is_compressed = true;
    FIELDS_BEGIN(c)
    case 1: TN_TRY(get_i32(c, type, &h->num_values)); break;
    case 2: TN_TRY(get_i32(c, type, &h->num_nulls)); break;
    case 3: TN_TRY(get_i32(c, type, &h->num_rows)); break;
    case 4: TN_TRY(get_i32(c, type, &h->encoding)); break;
    case 5: TN_TRY(get_i32(c, type, &h->def_bytes)); break;
    case 6: TN_TRY(get_i32(c, type, &h->rep_bytes)); break;
    case 7: TN_TRY(get_bool(c, type, &h->is_compressed)); break;
    FIELDS_END(c)
    *r = c->r;
    return 0;
}

static int dict_page(tn_th_reader *r, pq_page_header *h)
{
    ctx cc = {.r = *r}, *c = &cc;
    FIELDS_BEGIN(c)
    case 1: TN_TRY(get_i32(c, type, &h->num_values)); break;
    case 2: TN_TRY(get_i32(c, type, &h->encoding)); break;
    FIELDS_END(c)
    *r = c->r;
    return 0;
}

static int page_header(tn_th_reader *r, pq_page_header *h)
{
    ctx cc = {.r = *r}, *c = &cc;
    bool have[4] = {0};
    FIELDS_BEGIN(c)
    case 1: TN_TRY(get_i32(c, type, &h->type)); have[0] = true; break;
    case 2: TN_TRY(get_i32(c, type, &h->uncompressed_size)); have[1] = true; break;
    case 3: TN_TRY(get_i32(c, type, &h->compressed_size)); have[2] = true; break;
    case 4: {
        int32_t crc = 0;
        TN_TRY(get_i32(c, type, &crc));
        h->crc = (uint32_t)crc;
        h->has_crc = true;
        break;
    }
    case 5: case 7: case 8:
        if (type != TN_TH_STRUCT)
            return TN_CORRUPT(r->err, "parquet page header: sub-header is not a struct at byte %zu",
                              tn_th_pos(&c->r));
        /* A header for another page type than `type` is skipped below. */
        if ((id == 5 && h->type == PQ_DATA_PAGE) || (id == 7 && h->type == PQ_DICTIONARY_PAGE) ||
            (id == 8 && h->type == PQ_DATA_PAGE_V2)) {
            TN_TRY(id == 5 ? data_page_v1(&c->r, h) : id == 7 ? dict_page(&c->r, h) : data_page_v2(&c->r, h));
            h->has_sub = true;
        } else {
            TN_TRY(tn_th_skip(&c->r, type));
        }
        break;
    FIELDS_END(c)
    *r = c->r;
    if (!have[0] || !have[1] || !have[2])
        return TN_CORRUPT(r->err, "parquet page header: missing %s",
                          !have[0] ? "type" : !have[1] ? "uncompressed_page_size" : "compressed_page_size");
    if (h->uncompressed_size < 0 || h->compressed_size < 0)
        return TN_CORRUPT(r->err, "parquet page header: negative page size");
    return 0;
}

int tn_pq_page_header_decode(const uint8_t *p, size_t n, pq_page_header *h, size_t *used, tarn_error *err)
{
    memset(h, 0, sizeof *h);
    h->type = -1;
    tn_th_reader r;
    tn_th_reader_init(&r, p, n, "page header", err);
    TN_TRY(page_header(&r, h));
    *used = tn_th_pos(&r);
    return 0;
}

/* --- names ------------------------------------------------------------------ */

const char *tn_pq_physical_name(int t)
{
    static const char *const names[] = {"BOOLEAN", "INT32", "INT64", "INT96",
                                        "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
    return t >= 0 && t < 8 ? names[t] : "UNKNOWN";
}

const char *tn_pq_encoding_name(int e)
{
    static const char *const names[] = {"PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED",
                                        "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
                                        "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
    return e >= 0 && e < 10 ? names[e] : NULL;
}
