/*
 * boolean.c — AND, OR, XOR, NOT with SQL's three-valued (Kleene) logic, and
 * the null tests. Everything works on whole bytes of bitmaps: each input's
 * values and validity are first brought to offset 0 (eight rows per
 * step), then one pass of bitwise operations computes values and validity
 * of eight rows at a time.
 *
 *   AND: true when both are known true; false when either is known false.
 *   OR:  true when either is known true; false when both are known false.
 *   XOR: null when either is null.
 */
#include "arrow/compute/kernel.h"

/* The four aligned bitmaps of two inputs: values and validity of each. */
typedef struct planes {
    uint8_t *a, *av, *b, *bv;
} planes;

/* Load values and validity of the inputs for n output rows; the null type
 * has no value bitmap and gets an all-zero one. */
static int planes_load(planes *p, const tn_kin *ins, int n_in, const tn_selection *sel, int64_t n, tarn_error *err)
{
    size_t nb = (size_t)tn_bitmap_bytes(n) + 1;
    memset(p, 0, sizeof *p);
    uint8_t *mem = tn_malloc(nb * 4);
    TN_TRY_ALLOC(mem, err, nb * 4);
    memset(mem, 0, nb * 4);
    p->a = mem;
    p->av = mem + nb;
    p->b = mem + 2 * nb;
    p->bv = mem + 3 * nb;
    uint8_t *vals[2] = {p->a, p->b}, *valid[2] = {p->av, p->bv};
    for (int i = 0; i < n_in; i++) {
        if (ins[i].arr->type->id != TN_NA)
            tn_kin_bits(&ins[i], sel, n, false, vals[i]);
        tn_kin_bits(&ins[i], sel, n, true, valid[i]);
    }
    return TARN_OK;
}

/* Attach value and validity planes to a new bool array of n rows. */
static int finish(tn_array *o, const uint8_t *val, const uint8_t *valid, int64_t n, tarn_error *err)
{
    int64_t nb = tn_bitmap_bytes(n);
    memcpy(o->buffers[1]->data, val, (size_t)nb);
    if (!valid) {
        o->null_count = 0;
        return TARN_OK;
    }
    int64_t nulls = n - tn_bitmap_count(valid, 0, n);
    if (nulls == 0) {
        o->null_count = 0;
        return TARN_OK;
    }
    tn_buffer *v = tn_buffer_copy_of(valid, nb);
    TN_TRY_ALLOC(v, err, (size_t)nb);
    o->buffers[0] = v;
    o->null_count = nulls;
    return TARN_OK;
}

static int check_bool(const tn_kin *k, const char *what, tarn_error *err)
{
    tn_type_id id = k->arr->type->id;
    if (id != TN_BOOL && id != TN_NA)
        return tn_error_set(err, TARN_ETYPE, "%s needs bool operands, not %s", what, tn_type_id_name(id));
    return TARN_OK;
}

static int logic(int op, tn_datum da, tn_datum db, int n_in, const tn_selection *sel, tn_array **out,
                 tarn_error *err)
{
    static const char *const names[] = {"AND", "OR", "XOR", "NOT"};
    *out = NULL;
    tn_kin ins[2] = {{0}};
    planes p = {0};
    tn_array *o = NULL;
    int64_t n = 0;
    int rc = tn_kin_init(&ins[0], da, err);
    if (rc == TARN_OK && n_in > 1)
        rc = tn_kin_init(&ins[1], db, err);
    for (int i = 0; i < n_in && rc == TARN_OK; i++)
        rc = check_bool(&ins[i], names[op], err);
    if (rc == TARN_OK)
        rc = tn_kout_rows(ins, n_in, sel, &n, err);
    if (rc == TARN_OK)
        rc = planes_load(&p, ins, n_in, sel, n, err);
    if (rc == TARN_OK && !(o = tn_kout_fixed(tn_type_get(TN_BOOL), n)))
        rc = tn_error_oom(err, (size_t)n);
    if (rc == TARN_OK) {
        int64_t nb = tn_bitmap_bytes(n);
        uint8_t *a = p.a, *av = p.av, *b = p.b, *bv = p.bv;
        /* results overwrite a (values) and av (validity) */
        switch (op) {
        case TN_AND:
            for (int64_t i = 0; i < nb; i++) {
                uint8_t t = av[i] & a[i] & bv[i] & b[i];
                uint8_t f = (av[i] & ~a[i]) | (bv[i] & ~b[i]);
                a[i] = t;
                av[i] = t | f;
            }
            break;
        case TN_OR:
            for (int64_t i = 0; i < nb; i++) {
                uint8_t t = (av[i] & a[i]) | (bv[i] & b[i]);
                uint8_t f = av[i] & ~a[i] & bv[i] & ~b[i];
                a[i] = t;
                av[i] = t | f;
            }
            break;
        case TN_XOR:
            for (int64_t i = 0; i < nb; i++) {
                a[i] = (a[i] ^ b[i]) & av[i] & bv[i];
                av[i] &= bv[i];
            }
            break;
        default: /* NOT */
            for (int64_t i = 0; i < nb; i++)
                a[i] = (uint8_t)~a[i] & av[i];
            break;
        }
        if (n & 7) {
            a[nb - 1] &= (uint8_t)((1u << (n & 7)) - 1);
            av[nb - 1] &= (uint8_t)((1u << (n & 7)) - 1);
        }
        rc = finish(o, a, av, n, err);
    }
    tn_free(p.a);
    tn_kin_reset(&ins[0]);
    tn_kin_reset(&ins[1]);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}

int tn_bool(tn_bool_op op, tn_datum a, tn_datum b, const tn_selection *sel, tn_array **out, tarn_error *err)
{
    if (op != TN_AND && op != TN_OR && op != TN_XOR)
        return tn_error_set(err, TARN_EINVAL, "unknown boolean operator %d", (int)op);
    return logic(op, a, b, 2, sel, out, err);
}

int tn_not(tn_datum a, const tn_selection *sel, tn_array **out, tarn_error *err)
{
    return logic(3, a, a, 1, sel, out, err);
}

static int null_test(tn_datum d, const tn_selection *sel, bool want_null, tn_array **out, tarn_error *err)
{
    *out = NULL;
    tn_kin k = {0};
    TN_TRY(tn_kin_init(&k, d, err));
    int64_t n = 0;
    int rc = tn_kout_rows(&k, 1, sel, &n, err);
    tn_array *o = NULL;
    if (rc == TARN_OK && !(o = tn_kout_fixed(tn_type_get(TN_BOOL), n)))
        rc = tn_error_oom(err, (size_t)n);
    if (rc == TARN_OK) {
        uint8_t *v = o->buffers[1]->data;
        int64_t nb = tn_bitmap_bytes(n);
        tn_kin_bits(&k, sel, n, true, v);
        if (want_null)
            for (int64_t i = 0; i < nb; i++)
                v[i] = (uint8_t)~v[i];
        if (n & 7)
            v[nb - 1] &= (uint8_t)((1u << (n & 7)) - 1);
        o->null_count = 0;
    }
    tn_kin_reset(&k);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}

int tn_is_null(tn_datum a, const tn_selection *sel, tn_array **out, tarn_error *err)
{
    return null_test(a, sel, true, out, err);
}

int tn_is_not_null(tn_datum a, const tn_selection *sel, tn_array **out, tarn_error *err)
{
    return null_test(a, sel, false, out, err);
}
