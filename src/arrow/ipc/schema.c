/*
 * schema.c — Arrow IPC Schema tables to tarn schemas and back.
 *
 * A Field table carries its name, nullability, a Type union (tag + table of
 * parameters), its children, custom metadata, and for dictionary-encoded
 * fields a DictionaryEncoding (id, index type, ordered) while Type then
 * describes the dictionary's values. Decoding builds the tarn type bottom-up
 * and, beside it, a tree of dictionary ids (tn_ipc_dnode) that the batch
 * decoder walks in step with the types. Schemas are hostile input: nesting
 * is bounded by IPC_MAX_DEPTH and the number of fields by the size of the
 * flatbuffer, so shared child tables cannot make decoding explode.
 */
#include <string.h>

#include "arrow/ipc/ipc_int.h"
#include "core/alloc.h"

void tn_ipc_dnode_reset(tn_ipc_dnode *n)
{
    if (!n)
        return;
    for (int32_t i = 0; i < n->n_children; i++)
        tn_ipc_dnode_reset(&n->children[i]);
    tn_free(n->children);
    n->children = NULL;
    n->n_children = 0;
}

/* --- decoding ------------------------------------------------------------- */

typedef struct dec {
    tn_fb *fb;
    const char *where;
    int64_t budget; /* fields we may still decode */
    tarn_error *err;
} dec;

static int bad_fb(dec *d)
{
    return TN_CORRUPT(d->err, "%s: malformed schema flatbuffer (%s)", d->where, d->fb->bad);
}

static int decode_kv(dec *d, const tn_fbt *t, int id, tn_kv *out)
{
    tn_fbv v;
    if (!tn_fb_vector(d->fb, t, id, 4, &v))
        return d->fb->bad ? bad_fb(d) : TARN_OK;
    for (uint32_t i = 0; i < v.n; i++) {
        tn_fbt kv;
        uint32_t kl, vl;
        if (!tn_fb_vec_table(d->fb, &v, i, &kv))
            return bad_fb(d);
        const char *k = tn_fb_string(d->fb, &kv, KV_KEY, &kl);
        const char *val = tn_fb_string(d->fb, &kv, KV_VALUE, &vl);
        if (d->fb->bad)
            return bad_fb(d);
        TN_TRY(tn_kv_add(out, k ? k : "", val ? val : "", d->err));
    }
    return TARN_OK;
}

static int unsupported(dec *d, const char *field, const char *what)
{
    return tn_error_set(d->err, TARN_EUNSUPPORTED, "%s: field '%s': %s is not supported", d->where, field,
                        what);
}

static int bad_param(dec *d, const char *field, const char *what, long long v)
{
    return TN_CORRUPT(d->err, "%s: field '%s': invalid %s %lld", d->where, field, what, v);
}

static int int_type(dec *d, const tn_fbt *t, const char *name, tn_type **out)
{
    int64_t bits = tn_fb_int(d->fb, t, 0, 4, true, 0);
    bool sig = tn_fb_bool(d->fb, t, 1, false);
    static const tn_type_id ids[2][4] = {{TN_UINT8, TN_UINT16, TN_UINT32, TN_UINT64},
                                         {TN_INT8, TN_INT16, TN_INT32, TN_INT64}};
    int k = bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : bits == 64 ? 3 : -1;
    if (k < 0)
        return bad_param(d, name, "integer bit width", bits);
    *out = tn_type_get(ids[sig][k]);
    return TARN_OK;
}

static int unit_of(dec *d, const char *name, int64_t u, tn_time_unit *out)
{
    if (u < 0 || u > 3)
        return bad_param(d, name, "time unit", u);
    *out = (tn_time_unit)u;
    return TARN_OK;
}

static int decode_field(dec *d, const tn_fbt *ft, int depth, tn_field **out, tn_ipc_dnode *node);

/* Decode the n children of a field table into heap fields (kids[n]). */
static int decode_children(dec *d, const tn_fbt *ft, int depth, tn_field ***kids, int32_t *n,
                           tn_ipc_dnode *node)
{
    tn_fbv v;
    *kids = NULL;
    *n = 0;
    if (!tn_fb_vector(d->fb, ft, FLD_CHILDREN, 4, &v)) {
        if (d->fb->bad)
            return bad_fb(d);
        return TARN_OK;
    }
    if (v.n == 0)
        return TARN_OK;
    if ((int64_t)v.n > d->budget)
        return TN_CORRUPT(d->err, "%s: schema has more fields than its %u bytes can hold", d->where, d->fb->n);
    tn_field **f = tn_calloc(v.n, sizeof *f);
    TN_TRY_ALLOC(f, d->err, v.n * sizeof *f);
    node->children = tn_calloc(v.n, sizeof *node->children);
    if (!node->children) {
        tn_free(f);
        return tn_error_oom(d->err, v.n * sizeof *node->children);
    }
    node->n_children = (int32_t)v.n;
    int rc = TARN_OK;
    for (uint32_t i = 0; i < v.n && rc == TARN_OK; i++) {
        tn_fbt ct;
        node->children[i].dict_id = -1;
        if (!tn_fb_vec_table(d->fb, &v, i, &ct))
            rc = bad_fb(d);
        else
            rc = decode_field(d, &ct, depth + 1, &f[i], &node->children[i]);
    }
    if (rc != TARN_OK) {
        for (uint32_t i = 0; i < v.n; i++)
            tn_field_free(f[i]);
        tn_free(f);
        return rc;
    }
    *kids = f;
    *n = (int32_t)v.n;
    return TARN_OK;
}

static void free_fields(tn_field **f, int32_t n)
{
    for (int32_t i = 0; i < n; i++)
        tn_field_free(f[i]);
    tn_free(f);
}

/* Build the value type of a field from its Type union and children (which
 * are consumed). */
static int decode_type(dec *d, const tn_fbt *ft, const char *name, tn_field **kids, int32_t nk,
                       tn_type **out)
{
    int tag = (int)tn_fb_int(d->fb, ft, FLD_TYPE_TYPE, 1, false, 0);
    tn_fbt t;
    tn_fb_table(d->fb, ft, FLD_TYPE, &t);
    if (d->fb->bad) {
        free_fields(kids, nk);
        return bad_fb(d);
    }
    static const int n_kids[FT_TAG_COUNT] = {[FT_LIST] = 1, [FT_LARGE_LIST] = 1, [FT_FIXED_LIST] = 1,
                                             [FT_MAP] = 1, [FT_STRUCT] = -1};
    int rc = TARN_OK;
    tn_type *ty = NULL;
    if (tag == FT_UNION)
        rc = unsupported(d, name, "type union");
    else if (tag == FT_RUN_END)
        rc = unsupported(d, name, "type run_end_encoded");
    else if (tag == FT_LIST_VIEW || tag == FT_LARGE_LIST_VIEW)
        rc = unsupported(d, name, "type list_view");
    else if (tag <= 0 || tag >= FT_TAG_COUNT)
        rc = TN_CORRUPT(d->err, "%s: field '%s': unknown type tag %d", d->where, name, tag);
    else if (t.pos == 0)
        rc = TN_CORRUPT(d->err, "%s: field '%s': type table missing", d->where, name);
    else if (n_kids[tag] >= 0 && nk != n_kids[tag])
        rc = TN_CORRUPT(d->err, "%s: field '%s': %d children, expected %d", d->where, name, (int)nk,
                        n_kids[tag]);
    if (rc != TARN_OK) {
        free_fields(kids, nk);
        return rc;
    }
    tn_fb *fb = d->fb;
    switch (tag) {
    case FT_NULL: ty = tn_type_get(TN_NA); break;
    case FT_INT: rc = int_type(d, &t, name, &ty); break;
    case FT_FLOAT: {
        int64_t p = tn_fb_int(fb, &t, 0, 2, true, 0);
        if (p < 0 || p > 2)
            rc = bad_param(d, name, "float precision", p);
        else
            ty = tn_type_get(p == 0 ? TN_FLOAT16 : p == 1 ? TN_FLOAT32 : TN_FLOAT64);
        break;
    }
    case FT_BINARY: ty = tn_type_get(TN_BINARY); break;
    case FT_UTF8: ty = tn_type_get(TN_STRING); break;
    case FT_LARGE_BINARY: ty = tn_type_get(TN_LARGE_BINARY); break;
    case FT_LARGE_UTF8: ty = tn_type_get(TN_LARGE_STRING); break;
    case FT_BINARY_VIEW: ty = tn_type_get(TN_BINARY_VIEW); break;
    case FT_UTF8_VIEW: ty = tn_type_get(TN_STRING_VIEW); break;
    case FT_BOOL: ty = tn_type_get(TN_BOOL); break;
    case FT_DECIMAL: {
        int64_t prec = tn_fb_int(fb, &t, 0, 4, true, 0), scale = tn_fb_int(fb, &t, 1, 4, true, 0);
        int64_t bits = tn_fb_int(fb, &t, 2, 4, true, 128);
        if (bits == 32 || bits == 64)
            rc = unsupported(d, name, bits == 32 ? "decimal32" : "decimal64");
        else if (bits != 128 && bits != 256)
            rc = bad_param(d, name, "decimal bit width", bits);
        else if (prec < 1 || prec > (bits == 128 ? 38 : 76))
            rc = bad_param(d, name, "decimal precision", prec);
        else if (scale > prec || scale < -prec * 4)
            rc = bad_param(d, name, "decimal scale", scale);
        else
            ty = tn_type_decimal((int32_t)bits, (int32_t)prec, (int32_t)scale);
        break;
    }
    case FT_DATE: {
        int64_t u = tn_fb_int(fb, &t, 0, 2, true, 1);
        if (u != 0 && u != 1)
            rc = bad_param(d, name, "date unit", u);
        else
            ty = tn_type_get(u == 0 ? TN_DATE32 : TN_DATE64);
        break;
    }
    case FT_TIME: {
        int64_t u = tn_fb_int(fb, &t, 0, 2, true, 1), bits = tn_fb_int(fb, &t, 1, 4, true, 32);
        tn_time_unit unit = TN_SECOND;
        if ((rc = unit_of(d, name, u, &unit)) != TARN_OK)
            break;
        if (!((bits == 32 && unit <= TN_MILLI) || (bits == 64 && unit >= TN_MICRO)))
            rc = bad_param(d, name, "time bit width", bits);
        else
            ty = tn_type_time(bits == 32 ? TN_TIME32 : TN_TIME64, unit);
        break;
    }
    case FT_TIMESTAMP: {
        tn_time_unit unit = TN_SECOND;
        uint32_t tzl;
        const char *tz = tn_fb_string(fb, &t, 1, &tzl);
        if (fb->bad)
            rc = bad_fb(d);
        else if ((rc = unit_of(d, name, tn_fb_int(fb, &t, 0, 2, true, 0), &unit)) == TARN_OK)
            ty = tn_type_timestamp(unit, tz);
        break;
    }
    case FT_DURATION: {
        tn_time_unit unit = TN_SECOND;
        if ((rc = unit_of(d, name, tn_fb_int(fb, &t, 0, 2, true, 1), &unit)) == TARN_OK)
            ty = tn_type_duration(unit);
        break;
    }
    case FT_INTERVAL: {
        int64_t u = tn_fb_int(fb, &t, 0, 2, true, 0);
        if (u < 0 || u > 2)
            rc = bad_param(d, name, "interval unit", u);
        else
            ty = tn_type_get(u == 0 ? TN_INTERVAL_MONTHS : u == 1 ? TN_INTERVAL_DAY_TIME
                                                                   : TN_INTERVAL_MONTH_DAY_NANO);
        break;
    }
    case FT_FIXED_BINARY: {
        int64_t w = tn_fb_int(fb, &t, 0, 4, true, 0);
        if (w < 1 || w > INT32_MAX / 8)
            rc = bad_param(d, name, "fixed_size_binary width", w);
        else
            ty = tn_type_fixed_binary((int32_t)w);
        break;
    }
    case FT_LIST:
    case FT_LARGE_LIST:
        ty = tn_type_list(tag == FT_LIST ? TN_LIST : TN_LARGE_LIST, kids[0]);
        tn_free(kids);
        kids = NULL;
        nk = 0;
        break;
    case FT_FIXED_LIST: {
        int64_t n = tn_fb_int(fb, &t, 0, 4, true, 0);
        if (n < 0)
            rc = bad_param(d, name, "fixed_size_list size", n);
        else {
            ty = tn_type_fixed_list(kids[0], (int32_t)n);
            tn_free(kids);
            kids = NULL;
            nk = 0;
        }
        break;
    }
    case FT_STRUCT:
        ty = tn_type_struct(nk, kids);
        tn_free(kids);
        kids = NULL;
        nk = 0;
        break;
    case FT_MAP: {
        const tn_field *e = kids[0];
        if (e->type->id != TN_STRUCT || e->type->n_children != 2) {
            rc = TN_CORRUPT(d->err, "%s: field '%s': map entries must be a struct of key and value",
                            d->where, name);
            break;
        }
        bool sorted = tn_fb_bool(fb, &t, 0, false);
        /* built by hand to keep the writer's names for entries, key and value */
        ty = tn_type_list(TN_LIST, kids[0]);
        tn_free(kids);
        kids = NULL;
        nk = 0;
        if (ty) {
            ty->id = TN_MAP;
            ty->keys_sorted = sorted;
        }
        break;
    }
    default:
        rc = TN_CORRUPT(d->err, "%s: field '%s': unknown type tag %d", d->where, name, tag);
        break;
    }
    free_fields(kids, nk);
    if (rc == TARN_OK && fb->bad)
        rc = bad_fb(d);
    if (rc != TARN_OK) {
        tn_type_unref(ty);
        return rc;
    }
    TN_TRY_ALLOC(ty, d->err, sizeof(tn_type));
    *out = ty;
    return TARN_OK;
}

/* Wrap a value type in its dictionary encoding, if the field has one. */
static int decode_dictionary(dec *d, const tn_fbt *ft, const char *name, tn_type **ty, tn_ipc_dnode *node)
{
    tn_fbt de;
    if (!tn_fb_table(d->fb, ft, FLD_DICTIONARY, &de))
        return d->fb->bad ? bad_fb(d) : TARN_OK;
    node->dict_id = tn_fb_int(d->fb, &de, DE_ID, 8, true, 0);
    tn_fbt it;
    tn_type *index = tn_type_get(TN_INT32);
    if (tn_fb_table(d->fb, &de, DE_INDEX_TYPE, &it))
        TN_TRY(int_type(d, &it, name, &index));
    if (d->fb->bad)
        return bad_fb(d);
    if (tn_fb_int(d->fb, &de, DE_KIND, 2, true, 0) != 0)
        return unsupported(d, name, "dictionary kind");
    if (node->dict_id < 0)
        return bad_param(d, name, "dictionary id", node->dict_id);
    tn_type *dt = tn_type_dictionary(index, *ty, tn_fb_bool(d->fb, &de, DE_ORDERED, false));
    *ty = NULL;
    TN_TRY_ALLOC(dt, d->err, sizeof(tn_type));
    *ty = dt;
    return TARN_OK;
}

static int decode_field(dec *d, const tn_fbt *ft, int depth, tn_field **out, tn_ipc_dnode *node)
{
    *out = NULL;
    node->dict_id = -1;
    if (depth > IPC_MAX_DEPTH)
        return TN_CORRUPT(d->err, "%s: fields nested deeper than %d levels", d->where, IPC_MAX_DEPTH);
    if (--d->budget < 0)
        return TN_CORRUPT(d->err, "%s: schema has more fields than its %u bytes can hold", d->where, d->fb->n);
    uint32_t nl;
    const char *nm = tn_fb_string(d->fb, ft, FLD_NAME, &nl);
    bool nullable = tn_fb_bool(d->fb, ft, FLD_NULLABLE, false);
    if (d->fb->bad)
        return bad_fb(d);
    char *name = tn_strndup(nm ? nm : "", nl);
    TN_TRY_ALLOC(name, d->err, nl + 1);
    tn_field **kids = NULL;
    int32_t nk = 0;
    tn_type *ty = NULL;
    int rc = decode_children(d, ft, depth, &kids, &nk, node);
    if (rc == TARN_OK)
        rc = decode_type(d, ft, name, kids, nk, &ty);
    if (rc == TARN_OK)
        rc = decode_dictionary(d, ft, name, &ty, node);
    if (rc == TARN_OK) {
        *out = tn_field_new(name, ty, nullable);
        ty = NULL;
        if (!*out)
            rc = tn_error_oom(d->err, sizeof(tn_field));
    }
    if (rc == TARN_OK)
        rc = decode_kv(d, ft, FLD_METADATA, &(*out)->metadata);
    tn_type_unref(ty);
    tn_free(name);
    if (rc != TARN_OK) {
        tn_field_free(*out);
        *out = NULL;
    }
    return rc;
}

int tn_ipc_decode_schema(tn_fb *fb, const tn_fbt *st, const char *where, tn_schema **out,
                         tn_ipc_dnode **out_nodes, tarn_error *err)
{
    dec d = {fb, where, fb->n / 4 + 1, err};
    *out = NULL;
    *out_nodes = NULL;
    if (tn_fb_int(fb, st, SCH_ENDIANNESS, 2, true, 0) != 0)
        return tn_error_set(err, TARN_EUNSUPPORTED, "%s: big-endian Arrow IPC is not supported", where);
    tn_fbv v;
    tn_fb_vector(fb, st, SCH_FIELDS, 4, &v);
    if (fb->bad)
        return bad_fb(&d);
    if (v.n > (uint32_t)d.budget)
        return TN_CORRUPT(err, "%s: schema has more fields than its %u bytes can hold", where, fb->n);
    tn_schema *s = tn_schema_new((int32_t)v.n);
    TN_TRY_ALLOC(s, err, sizeof *s);
    tn_ipc_dnode *nodes = tn_calloc(v.n ? v.n : 1, sizeof *nodes);
    if (!nodes) {
        tn_schema_unref(s);
        return tn_error_oom(err, v.n * sizeof *nodes);
    }
    int rc = TARN_OK;
    for (uint32_t i = 0; i < v.n && rc == TARN_OK; i++) {
        tn_fbt ft;
        tn_field *f = NULL;
        nodes[i].dict_id = -1;
        if (!tn_fb_vec_table(fb, &v, i, &ft))
            rc = bad_fb(&d);
        else
            rc = decode_field(&d, &ft, 1, &f, &nodes[i]);
        if (rc == TARN_OK) {
            s->fields[i] = *f; /* move the heap field into its slot */
            tn_free(f);
        }
    }
    if (rc == TARN_OK)
        rc = decode_kv(&d, st, SCH_METADATA, &s->metadata);
    if (rc != TARN_OK) {
        for (uint32_t i = 0; i < v.n; i++)
            tn_ipc_dnode_reset(&nodes[i]);
        tn_free(nodes);
        tn_schema_unref(s);
        return rc;
    }
    *out = s;
    *out_nodes = nodes;
    return TARN_OK;
}

/* --- encoding ------------------------------------------------------------- */

typedef struct enc {
    tn_fbb *b;
    int64_t next_id;
    tarn_error *err;
} enc;

static tn_fb_ref encode_kv(tn_fbb *b, const tn_kv *kv, tarn_error *err, int *rc)
{
    if (kv->n == 0)
        return 0;
    tn_fb_ref *refs = tn_calloc((size_t)kv->n, sizeof *refs);
    if (!refs) {
        *rc = tn_error_oom(err, (size_t)kv->n * sizeof *refs);
        return 0;
    }
    for (int32_t i = 0; i < kv->n; i++) {
        tn_fb_ref k = tn_fbb_string(b, kv->keys[i], strlen(kv->keys[i]));
        tn_fb_ref v = tn_fbb_string(b, kv->values[i], strlen(kv->values[i]));
        tn_fbb_table_start(b);
        tn_fbb_add_ref(b, KV_KEY, k);
        tn_fbb_add_ref(b, KV_VALUE, v);
        refs[i] = tn_fbb_table_end(b);
    }
    tn_fb_ref r = tn_fbb_ref_vector(b, refs, (size_t)kv->n);
    tn_free(refs);
    return r;
}

static tn_fb_ref int_table(tn_fbb *b, const tn_type *t)
{
    tn_fbb_table_start(b);
    tn_fbb_add_int(b, 0, t->byte_width * 8, 4);
    tn_fbb_add_int(b, 1, tn_type_is_signed_int(t->id), 1);
    return tn_fbb_table_end(b);
}

/* The Type union tag and table of a (non-dictionary) type. */
static int encode_type(enc *e, const tn_type *t, int *tag, tn_fb_ref *ref)
{
    tn_fbb *b = e->b;
    switch (t->id) {
    case TN_NA: *tag = FT_NULL; break;
    case TN_BOOL: *tag = FT_BOOL; break;
    case TN_INT8: case TN_INT16: case TN_INT32: case TN_INT64:
    case TN_UINT8: case TN_UINT16: case TN_UINT32: case TN_UINT64:
        *tag = FT_INT;
        *ref = int_table(b, t);
        return TARN_OK;
    case TN_FLOAT16: case TN_FLOAT32: case TN_FLOAT64:
        *tag = FT_FLOAT;
        tn_fbb_table_start(b);
        tn_fbb_add_int(b, 0, t->id - TN_FLOAT16, 2);
        *ref = tn_fbb_table_end(b);
        return TARN_OK;
    case TN_DECIMAL128: case TN_DECIMAL256:
        *tag = FT_DECIMAL;
        tn_fbb_table_start(b);
        tn_fbb_add_int(b, 0, t->precision, 4);
        tn_fbb_add_int(b, 1, t->scale, 4);
        tn_fbb_add_int(b, 2, t->id == TN_DECIMAL128 ? 128 : 256, 4);
        *ref = tn_fbb_table_end(b);
        return TARN_OK;
    case TN_STRING: *tag = FT_UTF8; break;
    case TN_LARGE_STRING: *tag = FT_LARGE_UTF8; break;
    case TN_STRING_VIEW: *tag = FT_UTF8_VIEW; break;
    case TN_BINARY: *tag = FT_BINARY; break;
    case TN_LARGE_BINARY: *tag = FT_LARGE_BINARY; break;
    case TN_BINARY_VIEW: *tag = FT_BINARY_VIEW; break;
    case TN_FIXED_BINARY:
        *tag = FT_FIXED_BINARY;
        tn_fbb_table_start(b);
        tn_fbb_add_int(b, 0, t->byte_width, 4);
        *ref = tn_fbb_table_end(b);
        return TARN_OK;
    case TN_DATE32: case TN_DATE64:
        *tag = FT_DATE;
        tn_fbb_table_start(b);
        tn_fbb_add_int(b, 0, t->id == TN_DATE32 ? 0 : 1, 2);
        *ref = tn_fbb_table_end(b);
        return TARN_OK;
    case TN_TIME32: case TN_TIME64:
        *tag = FT_TIME;
        tn_fbb_table_start(b);
        tn_fbb_add_int(b, 0, t->unit, 2);
        tn_fbb_add_int(b, 1, t->id == TN_TIME32 ? 32 : 64, 4);
        *ref = tn_fbb_table_end(b);
        return TARN_OK;
    case TN_TIMESTAMP: {
        *tag = FT_TIMESTAMP;
        tn_fb_ref tz = t->tz ? tn_fbb_string(b, t->tz, strlen(t->tz)) : 0;
        tn_fbb_table_start(b);
        tn_fbb_add_int(b, 0, t->unit, 2);
        if (t->tz)
            tn_fbb_add_ref(b, 1, tz);
        *ref = tn_fbb_table_end(b);
        return TARN_OK;
    }
    case TN_DURATION:
        *tag = FT_DURATION;
        tn_fbb_table_start(b);
        tn_fbb_add_int(b, 0, t->unit, 2);
        *ref = tn_fbb_table_end(b);
        return TARN_OK;
    case TN_INTERVAL_MONTHS: case TN_INTERVAL_DAY_TIME: case TN_INTERVAL_MONTH_DAY_NANO:
        *tag = FT_INTERVAL;
        tn_fbb_table_start(b);
        tn_fbb_add_int(b, 0, t->id - TN_INTERVAL_MONTHS, 2);
        *ref = tn_fbb_table_end(b);
        return TARN_OK;
    case TN_LIST: *tag = FT_LIST; break;
    case TN_LARGE_LIST: *tag = FT_LARGE_LIST; break;
    case TN_FIXED_LIST:
        *tag = FT_FIXED_LIST;
        tn_fbb_table_start(b);
        tn_fbb_add_int(b, 0, t->list_size, 4);
        *ref = tn_fbb_table_end(b);
        return TARN_OK;
    case TN_STRUCT: *tag = FT_STRUCT; break;
    case TN_MAP:
        *tag = FT_MAP;
        tn_fbb_table_start(b);
        tn_fbb_add_int(b, 0, t->keys_sorted, 1);
        *ref = tn_fbb_table_end(b);
        return TARN_OK;
    default:
        return tn_error_set(e->err, TARN_EUNSUPPORTED, "type %s cannot be written to Arrow IPC",
                            tn_type_id_name(t->id));
    }
    tn_fbb_table_start(b); /* parameter-free types: an empty table */
    *ref = tn_fbb_table_end(b);
    return TARN_OK;
}

static int encode_field(enc *e, const tn_field *f, int depth, tn_fb_ref *out, tn_ipc_dnode *node)
{
    tn_fbb *b = e->b;
    int rc = TARN_OK;
    if (depth > IPC_MAX_DEPTH)
        return tn_error_set(e->err, TARN_EUNSUPPORTED, "field '%s' is nested deeper than %d levels", f->name,
                            IPC_MAX_DEPTH);
    const tn_type *t = f->type, *vt = t->id == TN_DICTIONARY ? t->value_type : t;
    node->dict_id = t->id == TN_DICTIONARY ? e->next_id++ : -1;
    tn_fb_ref kids = 0, *refs = NULL;
    if (vt->n_children > 0) {
        refs = tn_calloc((size_t)vt->n_children, sizeof *refs);
        node->children = tn_calloc((size_t)vt->n_children, sizeof *node->children);
        if (!refs || !node->children) {
            tn_free(refs);
            return tn_error_oom(e->err, (size_t)vt->n_children * sizeof *node->children);
        }
        node->n_children = vt->n_children;
        for (int32_t i = 0; i < vt->n_children && rc == TARN_OK; i++)
            rc = encode_field(e, &vt->children[i], depth + 1, &refs[i], &node->children[i]);
        if (rc == TARN_OK)
            kids = tn_fbb_ref_vector(b, refs, (size_t)vt->n_children);
        tn_free(refs);
        TN_TRY(rc);
    }
    int tag = 0;
    tn_fb_ref type = 0, dict = 0;
    TN_TRY(encode_type(e, vt, &tag, &type));
    if (t->id == TN_DICTIONARY) {
        tn_fb_ref index = int_table(b, t->index_type);
        tn_fbb_table_start(b);
        tn_fbb_add_int(b, DE_ID, node->dict_id, 8);
        tn_fbb_add_ref(b, DE_INDEX_TYPE, index);
        tn_fbb_add_int(b, DE_ORDERED, t->ordered, 1);
        dict = tn_fbb_table_end(b);
    }
    tn_fb_ref meta = encode_kv(b, &f->metadata, e->err, &rc);
    TN_TRY(rc);
    tn_fb_ref name = tn_fbb_string(b, f->name, strlen(f->name));
    tn_fbb_table_start(b);
    tn_fbb_add_ref(b, FLD_NAME, name);
    tn_fbb_add_int(b, FLD_NULLABLE, f->nullable, 1);
    tn_fbb_add_int(b, FLD_TYPE_TYPE, tag, 1);
    tn_fbb_add_ref(b, FLD_TYPE, type);
    if (dict)
        tn_fbb_add_ref(b, FLD_DICTIONARY, dict);
    if (vt->n_children > 0)
        tn_fbb_add_ref(b, FLD_CHILDREN, kids);
    else {
        tn_fbb_vec_start(b, 4, 0, 4); /* Arrow C++ expects children present */
        tn_fbb_add_ref(b, FLD_CHILDREN, tn_fbb_vec_end(b, 0));
    }
    if (meta)
        tn_fbb_add_ref(b, FLD_METADATA, meta);
    *out = tn_fbb_table_end(b);
    return TARN_OK;
}

int tn_ipc_encode_schema(tn_fbb *b, const tn_schema *s, tn_fb_ref *out, tn_ipc_dnode **out_nodes,
                         tarn_error *err)
{
    enc e = {b, 0, err};
    int32_t n = s->n_fields;
    tn_fb_ref *refs = tn_calloc(n ? (size_t)n : 1, sizeof *refs);
    tn_ipc_dnode *nodes = tn_calloc(n ? (size_t)n : 1, sizeof *nodes);
    int rc = refs && nodes ? TARN_OK : tn_error_oom(err, (size_t)n * sizeof *nodes);
    for (int32_t i = 0; i < n && rc == TARN_OK; i++)
        rc = encode_field(&e, &s->fields[i], 1, &refs[i], &nodes[i]);
    tn_fb_ref fields = 0, meta = 0;
    if (rc == TARN_OK) {
        fields = tn_fbb_ref_vector(b, refs, (size_t)n);
        meta = encode_kv(b, &s->metadata, err, &rc);
    }
    tn_free(refs);
    if (rc != TARN_OK) {
        for (int32_t i = 0; nodes && i < n; i++)
            tn_ipc_dnode_reset(&nodes[i]);
        tn_free(nodes);
        return rc;
    }
    tn_fbb_table_start(b);
    tn_fbb_add_int(b, SCH_ENDIANNESS, 0, 2);
    tn_fbb_add_ref(b, SCH_FIELDS, fields);
    if (meta)
        tn_fbb_add_ref(b, SCH_METADATA, meta);
    *out = tn_fbb_table_end(b);
    *out_nodes = nodes;
    return TARN_OK;
}
