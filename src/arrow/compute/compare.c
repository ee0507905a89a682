/*
 * compare.c — = <> < <= > >= over arrays and scalars, and IS DISTINCT FROM.
 *
 * Operands of different types are cast to their common type first; text
 * and binary layouts compare directly by bytes without a cast. Fixed-width
 * types run one loop per (C type, operator, broadcast shape) stamped out by
 * macros: each writes one 0/1 byte per row with no branches, and the bytes
 * are packed into the result bitmap eight at a time. > and >= swap the
 * operands of < and <=, <> negates =. Validity is the AND of the input
 * bitmaps (kernel.c). Floats use a total order in which NaN equals NaN and
 * sorts after every number, as in DuckDB and PostgreSQL.
 */
#include "arrow/compute/decimal.h"
#include "arrow/compute/kernel.h"

enum { OP_EQ, OP_LT, OP_LE };

#define EQ_I(x, y) ((x) == (y))
#define LT_I(x, y) ((x) < (y))
#define LE_I(x, y) ((x) <= (y))
#define NAN_(x) ((x) != (x))
#define EQ_F(x, y) (((x) == (y)) | (NAN_(x) & NAN_(y)))
#define LT_F(x, y) (((x) < (y)) | (!NAN_(x) & NAN_(y)))
#define LE_F(x, y) (LT_F(x, y) | EQ_F(x, y))

/* r[i] = EXPR(x row, y row) for every output row, specialized by shape. */
#define CMP_LOOP(T, EXPR)                                                         \
    do {                                                                          \
        if (sel) {                                                                \
            for (int64_t i = 0; i < n; i++) {                                     \
                int64_t k = sel->rows[i];                                         \
                T xv = x[as ? 0 : k], yv = y[bs ? 0 : k];                         \
                r[i] = (uint8_t)(EXPR(xv, yv));                                   \
            }                                                                     \
        } else if (!as && !bs) {                                                  \
            for (int64_t i = 0; i < n; i++)                                       \
                r[i] = (uint8_t)(EXPR(x[i], y[i]));                               \
        } else if (as && !bs) {                                                   \
            T xv = x[0];                                                          \
            for (int64_t i = 0; i < n; i++)                                       \
                r[i] = (uint8_t)(EXPR(xv, y[i]));                                 \
        } else if (!as) {                                                         \
            T yv = y[0];                                                          \
            for (int64_t i = 0; i < n; i++)                                       \
                r[i] = (uint8_t)(EXPR(x[i], yv));                                 \
        } else {                                                                  \
            T xv = x[0], yv = y[0];                                               \
            for (int64_t i = 0; i < n; i++)                                       \
                r[i] = (uint8_t)(EXPR(xv, yv));                                   \
        }                                                                         \
    } while (0)

#define DEF_CMP(NAME, T, EQ, LT, LE)                                                           \
    TN_HOT static void NAME(int op, const void *xp, bool as, const void *yp, bool bs, const tn_selection *sel, \
                     int64_t n, uint8_t *r)                                                   \
    {                                                                                          \
        const T *x = xp, *y = yp;                                                              \
        switch (op) {                                                                          \
        case OP_EQ: CMP_LOOP(T, EQ); break;                                                    \
        case OP_LT: CMP_LOOP(T, LT); break;                                                    \
        default: CMP_LOOP(T, LE); break;                                                       \
        }                                                                                      \
    }

DEF_CMP(cmp_i8, int8_t, EQ_I, LT_I, LE_I)
DEF_CMP(cmp_i16, int16_t, EQ_I, LT_I, LE_I)
DEF_CMP(cmp_i32, int32_t, EQ_I, LT_I, LE_I)
DEF_CMP(cmp_i64, int64_t, EQ_I, LT_I, LE_I)
DEF_CMP(cmp_u8, uint8_t, EQ_I, LT_I, LE_I)
DEF_CMP(cmp_u16, uint16_t, EQ_I, LT_I, LE_I)
DEF_CMP(cmp_u32, uint32_t, EQ_I, LT_I, LE_I)
DEF_CMP(cmp_u64, uint64_t, EQ_I, LT_I, LE_I)
DEF_CMP(cmp_f32, float, EQ_F, LT_F, LE_F)
DEF_CMP(cmp_f64, double, EQ_F, LT_F, LE_F)
DEF_CMP(cmp_d128, tn_i128, EQ_I, LT_I, LE_I)

typedef void (*cmp_fn)(int, const void *, bool, const void *, bool, const tn_selection *, int64_t, uint8_t *);

static cmp_fn fixed_cmp(tn_type_id id)
{
    switch (tn_storage_id(id)) {
    case TN_INT8: return cmp_i8;
    case TN_INT16: return cmp_i16;
    case TN_INT32: return cmp_i32;
    case TN_INT64: return cmp_i64;
    case TN_UINT8: return cmp_u8;
    case TN_UINT16: return cmp_u16;
    case TN_UINT32: return cmp_u32;
    case TN_UINT64: return cmp_u64;
    case TN_FLOAT32: return cmp_f32;
    case TN_FLOAT64: return cmp_f64;
    case TN_DECIMAL128: return cmp_d128;
    default: return NULL;
    }
}

static int cmp_bytes(const uint8_t *p, int64_t pn, const uint8_t *q, int64_t qn)
{
    int64_t m = pn < qn ? pn : qn;
    int c = m ? memcmp(p, q, (size_t)m) : 0;
    return c ? c : (pn > qn) - (pn < qn);
}

/* Rows compared one at a time (text, binary, decimal256): c = sign. */
static void slow_cmp(int op, const tn_kin *ka, const tn_kin *kb, const tn_selection *sel, int64_t n, uint8_t *r)
{
    tn_array *a = ka->arr, *b = kb->arr;
    bool dec = a->type->id == TN_DECIMAL256;
    for (int64_t i = 0; i < n; i++) {
        int64_t k = tn_krow(sel, i), ia = ka->scalar ? 0 : k, ib = kb->scalar ? 0 : k;
        int c;
        if (!tn_array_is_valid(a, ia) || !tn_array_is_valid(b, ib)) {
            r[i] = 0;
            continue;
        }
        if (dec) {
            tn_i256 x, y;
            memcpy(&x, a->buffers[1]->data + 32 * (a->offset + ia), 32);
            memcpy(&y, b->buffers[1]->data + 32 * (b->offset + ib), 32);
            c = tn_i256_cmp(x, y);
        } else {
            int64_t pn, qn;
            const uint8_t *p = tn_array_bytes(a, ia, &pn), *q = tn_array_bytes(b, ib, &qn);
            c = cmp_bytes(p, pn, q, qn);
        }
        r[i] = (uint8_t)(op == OP_EQ ? c == 0 : op == OP_LT ? c < 0 : c <= 0);
    }
}

static bool text_kind(tn_type_id id)
{
    return tn_type_is_string(id) || tn_type_is_binary(id) || id == TN_FIXED_BINARY;
}

/* Cast a to ta and b to tb, applying the selection first when either
 * needs a cast (so dropped rows cannot fail it). */
static int cast_pair(tn_kin *a, const tn_type *ta, tn_kin *b, const tn_type *tb, const tn_selection **sel,
                     tarn_error *err)
{
    int rc = TARN_OK;
    bool need = !tn_type_equals(a->arr->type, ta) || !tn_type_equals(b->arr->type, tb);
    if (need && *sel) {
        tn_kin pair[2] = {*a, *b};
        int64_t n;
        rc = tn_kout_rows(pair, 2, *sel, &n, err);
        if (rc == TARN_OK)
            rc = tn_kin_select(pair, 2, sel, err);
        *a = pair[0];
        *b = pair[1];
    }
    if (rc == TARN_OK)
        rc = tn_kin_cast(a, (tn_type *)ta, err);
    if (rc == TARN_OK)
        rc = tn_kin_cast(b, (tn_type *)tb, err);
    return rc;
}

/* Bring both sides to one comparable type. Dictionary operands compare by
 * their values; text and binary layouts compare by bytes as they are. */
static int unify(tn_kin *a, tn_kin *b, const tn_selection **sel, tarn_error *err)
{
    const tn_type *ta = a->arr->type, *tb = b->arr->type;
    if (ta->id == TN_DICTIONARY)
        ta = ta->value_type;
    if (tb->id == TN_DICTIONARY)
        tb = tb->value_type;
    if ((text_kind(ta->id) && text_kind(tb->id)) ||
        (ta->id == TN_TIMESTAMP && tb->id == TN_TIMESTAMP && ta->unit == tb->unit)) /* zones name the same instants */
        return cast_pair(a, ta, b, tb, sel, err);
    tn_type *ct = NULL;
    if (!tn_type_equals(ta, tb))
        TN_TRY(tn_common_type(ta, tb, &ct, err));
    else
        ct = tn_type_ref((tn_type *)ta);
    /* float16 and bool compare through wider types */
    if (ct->id == TN_FLOAT16) {
        tn_type_unref(ct);
        ct = tn_type_get(TN_FLOAT32);
    } else if (ct->id == TN_BOOL) {
        tn_type_unref(ct);
        ct = tn_type_get(TN_UINT8);
    }
    int rc = cast_pair(a, ct, b, ct, sel, err);
    tn_type_unref(ct);
    return rc;
}

/* Comparison results as 0/1 bytes (values behind nulls undefined). */
static int compare_bytes(tn_cmp_op op, tn_kin *ins, const tn_selection *sel, int64_t n, uint8_t *r, tarn_error *err)
{
    tn_kin *a = &ins[0], *b = &ins[1];
    if (op == TN_CMP_GT || op == TN_CMP_GE) {
        a = &ins[1];
        b = &ins[0];
    }
    int o = op == TN_CMP_EQ || op == TN_CMP_NE ? OP_EQ : (op == TN_CMP_LT || op == TN_CMP_GT) ? OP_LT : OP_LE;
    tn_type_id id = a->arr->type->id;
    if (id == TN_NA || b->arr->type->id == TN_NA) {
        memset(r, 0, (size_t)n);
        return TARN_OK;
    }
    cmp_fn f = fixed_cmp(id);
    if (f) {
        int32_t w = a->arr->type->byte_width;
        const uint8_t *x = a->arr->buffers[1]->data + a->arr->offset * w;
        const uint8_t *y = b->arr->buffers[1]->data + b->arr->offset * w;
        f(o, x, a->scalar, y, b->scalar, sel, n, r);
    } else if (text_kind(id) || id == TN_DECIMAL256) {
        slow_cmp(o, a, b, sel, n, r);
    } else {
        char tn[96];
        return tn_error_set(err, TARN_EUNSUPPORTED, "cannot compare values of type %s",
                            tn_ktype_name(a->arr->type, tn, sizeof tn));
    }
    if (op == TN_CMP_NE)
        for (int64_t i = 0; i < n; i++)
            r[i] ^= 1;
    return TARN_OK;
}

/* Shared front half: resolve, unify, count rows, compare into bytes. */
static int run(tn_cmp_op op, tn_datum da, tn_datum db, const tn_selection **psel, tn_kin *ins, int64_t *pn,
               uint8_t **pr, tarn_error *err)
{
    *pr = NULL;
    TN_TRY(tn_kin_init(&ins[0], da, err));
    int rc = tn_kin_init(&ins[1], db, err);
    if (rc == TARN_OK)
        rc = unify(&ins[0], &ins[1], psel, err);
    const tn_selection *sel = *psel;
    if (rc == TARN_OK)
        rc = tn_kout_rows(ins, 2, sel, pn, err);
    if (rc == TARN_OK && !(*pr = tn_malloc((size_t)(*pn ? *pn : 1))))
        rc = tn_error_oom(err, (size_t)*pn);
    if (rc == TARN_OK)
        rc = compare_bytes(op, ins, sel, *pn, *pr, err);
    return rc;
}

int tn_compare(tn_cmp_op op, tn_datum da, tn_datum db, const tn_selection *sel, tn_array **out, tarn_error *err)
{
    *out = NULL;
    tn_kin ins[2] = {{0}};
    int64_t n = 0;
    uint8_t *r = NULL;
    int rc = run(op, da, db, &sel, ins, &n, &r, err);
    tn_array *o = NULL;
    if (rc == TARN_OK && !(o = tn_kout_fixed(tn_type_get(TN_BOOL), n)))
        rc = tn_error_oom(err, (size_t)n);
    if (rc == TARN_OK) {
        tn_bits_pack(o->buffers[1]->data, r, n);
        rc = tn_kout_validity(o, ins, 2, sel, err);
    }
    tn_free(r);
    tn_kin_reset(&ins[0]);
    tn_kin_reset(&ins[1]);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}

int tn_is_distinct_from(tn_datum da, tn_datum db, const tn_selection *sel, tn_array **out, tarn_error *err)
{
    *out = NULL;
    tn_kin ins[2] = {{0}};
    int64_t n = 0;
    uint8_t *r = NULL, *va = NULL, *vb = NULL;
    int rc = run(TN_CMP_NE, da, db, &sel, ins, &n, &r, err);
    tn_array *o = NULL;
    int64_t nb = tn_bitmap_bytes(n);
    if (rc == TARN_OK) {
        va = tn_malloc((size_t)nb + 1);
        vb = tn_malloc((size_t)nb + 1);
        o = tn_kout_fixed(tn_type_get(TN_BOOL), n);
        if (!va || !vb || !o)
            rc = tn_error_oom(err, (size_t)nb);
    }
    if (rc == TARN_OK) {
        /* distinct = (va != vb) | (va & vb & ne) */
        uint8_t *d = o->buffers[1]->data;
        tn_bits_pack(d, r, n);
        tn_kin_bits(&ins[0], sel, n, true, va);
        tn_kin_bits(&ins[1], sel, n, true, vb);
        for (int64_t i = 0; i < nb; i++)
            d[i] = (uint8_t)((va[i] ^ vb[i]) | (va[i] & vb[i] & d[i]));
        if (n & 7)
            d[nb - 1] &= (uint8_t)((1u << (n & 7)) - 1);
        o->null_count = 0;
    }
    tn_free(r);
    tn_free(va);
    tn_free(vb);
    tn_kin_reset(&ins[0]);
    tn_kin_reset(&ins[1]);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}
